namespace Kiln.IR;

/// <summary>
/// The IR primitives: scalar arithmetic and comparisons (Python's rules: int with int gives int, anything
/// with a float gives float, <c>/</c> always float, <c>//</c> and <c>%</c> floor), scalar conversions,
/// scalar/tensor bridges and list operations.
/// </summary>
public static class Prims
{
    private static readonly PrimDef[] Table =
    [
        Arithmetic("scalar_add", "a + b", (a, b) => checked(a + b), (a, b) => a + b),
        Arithmetic("scalar_sub", "a - b", (a, b) => checked(a - b), (a, b) => a - b),
        Arithmetic("scalar_mul", "a * b", (a, b) => checked(a * b), (a, b) => a * b),
        Arithmetic("scalar_floordiv", "a // b, rounding toward negative infinity", ScalarMath.FloorDiv, (a, b) => Math.Floor(a / b)),
        Arithmetic("scalar_mod", "a % b with the sign of b (Python's)", ScalarMath.FloorMod, (a, b) => a - (b * Math.Floor(a / b))),
        Arithmetic("scalar_min", "the smaller of a and b", Math.Min, Math.Min),
        Arithmetic("scalar_max", "the larger of a and b", Math.Max, Math.Max),
        new()
        {
            Name = "scalar_div", Description = "a / b as a float (Python's true division)",
            InferTypes = (t, _) => { ScalarRules.Numbers("scalar_div", t, 2); return [ScalarType.Float]; },
            Evaluate = (v, _) => [ScalarMath.ToDouble(v[0]) / ScalarMath.ToDouble(v[1])],
        },
        new()
        {
            Name = "scalar_neg", Description = "-a",
            InferTypes = (t, _) => [ScalarRules.Numbers("scalar_neg", t, 1)],
            Evaluate = (v, _) => [v[0] is long l ? ScalarMath.Checked("scalar_neg", (a, _) => checked(-a), l, 0) : (object)(-(double)v[0]!)],
        },
        Comparison("scalar_lt", "a < b", c => c < 0),
        Comparison("scalar_le", "a <= b", c => c <= 0),
        Comparison("scalar_gt", "a > b", c => c > 0),
        Comparison("scalar_ge", "a >= b", c => c >= 0),
        Equality("scalar_eq", "a == b", equal: true),
        Equality("scalar_ne", "a != b", equal: false),
        Logic("scalar_and", "a and b", 2, v => (bool)v[0]! && (bool)v[1]!),
        Logic("scalar_or", "a or b", 2, v => (bool)v[0]! || (bool)v[1]!),
        Logic("scalar_not", "not a", 1, v => !(bool)v[0]!),
        new()
        {
            Name = "scalar_to_float", Description = "float(a) of an int, float or bool",
            InferTypes = (t, _) => { ScalarRules.AnyScalar("scalar_to_float", t); return [ScalarType.Float]; },
            Evaluate = (v, _) => [ScalarMath.ToDouble(v[0])],
        },
        new()
        {
            Name = "scalar_to_int", Description = "int(a): a float truncated toward zero, a bool as 0 or 1",
            InferTypes = (t, _) => { ScalarRules.AnyScalar("scalar_to_int", t); return [ScalarType.Int]; },
            Evaluate = (v, _) => [ScalarMath.ToLong("scalar_to_int", v[0])],
        },
        new()
        {
            Name = "tensor_size", Description = "the size of dim `dim` of a tensor (x.Shape[dim])",
            Attributes = [new AttrDef("dim", "int")],
            InferTypes = ScalarRules.TensorSize,
        },
        new()
        {
            Name = "tensor_numel", Description = "the number of elements of a tensor",
            InferTypes = (t, _) => { ScalarRules.OneTensor("tensor_numel", t); return [ScalarType.Int]; },
        },
        new()
        {
            Name = "tensor_item", Description = "the value of a one-element tensor as an int, float or bool (by its dtype)",
            InferTypes = ScalarRules.TensorItem,
        },
        new()
        {
            Name = "tensor_from_scalar", Description = "a 0-d tensor holding a scalar (dtype: i64 for int, f32 for float, bool for bool, unless given)",
            Attributes = [new AttrDef("dtype", "dtype")],
            InferTypes = ScalarRules.TensorFromScalar,
        },
        new()
        {
            Name = "list_append", Description = "a new list: the list with one more element at the end",
            InferTypes = ScalarRules.ListAppend,
            Evaluate = (v, _) => [(IReadOnlyList<object?>)[.. (IReadOnlyList<object?>)v[0]!, v[1]]],
        },
        new()
        {
            Name = "list_len", Description = "the number of elements of a list",
            InferTypes = (t, _) => t is [ListType] ? [ScalarType.Int] : throw new ArgumentException($"list_len: expected one list operand, got ({string.Join(", ", t)})"),
            Evaluate = (v, _) => [(long)((IReadOnlyList<object?>)v[0]!).Count],
        },
    ];

    private static readonly Dictionary<string, PrimDef> ByName = Table.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>Every primitive, in table order.</summary>
    public static IReadOnlyList<PrimDef> All => Table;

    /// <summary>The primitive called <paramref name="name"/>, or null.</summary>
    public static PrimDef? Find(string name) => ByName.GetValueOrDefault(name);

    private static PrimDef Arithmetic(string name, string description, Func<long, long, long> ints, Func<double, double, double> floats) => new()
    {
        Name = name,
        Description = description,
        InferTypes = (t, _) => [ScalarRules.Numbers(name, t, 2)],
        Evaluate = (v, _) => v[0] is long a && v[1] is long b ? [ScalarMath.Checked(name, ints, a, b)] : [floats(ScalarMath.ToDouble(v[0]), ScalarMath.ToDouble(v[1]))],
    };

    private static PrimDef Comparison(string name, string description, Func<int, bool> test) => new()
    {
        Name = name,
        Description = description,
        InferTypes = (t, _) => { ScalarRules.Numbers(name, t, 2); return [ScalarType.Bool]; },
        Evaluate = (v, _) => [test(ScalarMath.Compare(v[0], v[1]))],
    };

    private static PrimDef Equality(string name, string description, bool equal) => new()
    {
        Name = name,
        Description = description,
        InferTypes = (t, _) => { ScalarRules.Comparable(name, t); return [ScalarType.Bool]; },
        Evaluate = (v, _) => [(v[0] is bool a && v[1] is bool b ? a == b : ScalarMath.Compare(v[0], v[1]) == 0) == equal],
    };

    private static PrimDef Logic(string name, string description, int arity, Func<IReadOnlyList<object?>, bool> f) => new()
    {
        Name = name,
        Description = description,
        InferTypes = (t, _) => t.Count == arity && t.All(x => x == ScalarType.Bool) ? [ScalarType.Bool]
            : throw new ArgumentException($"{name}: expected {arity} bool operand(s), got ({string.Join(", ", t)})"),
        Evaluate = (v, _) => [f(v)],
    };
}
