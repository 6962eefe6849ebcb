using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Checks the values one run of a graph is given against their declared types and binds each dim symbol
/// to its size: a symbol (<c>?b</c>) must have the same size everywhere in the run. Runtime values are
/// tensors (<see cref="Tensor"/>), <c>long</c>, <c>double</c>, <c>bool</c>, null (none), lists
/// (<c>IReadOnlyList&lt;object?&gt;</c>) and tuples (<c>object?[]</c>); an <c>int</c> is taken for an
/// <c>int</c> and a <c>float</c> for a <c>float</c>.
/// </summary>
internal sealed class ValueBinder
{
    // Which value first bound each symbol, so a conflict names both places.
    private readonly Dictionary<string, string> boundBy = new(StringComparer.Ordinal);

    /// <summary>A binder starting from symbol sizes already known (bound by the parameters).</summary>
    internal ValueBinder(IReadOnlyDictionary<string, long>? known = null)
    {
        Sizes = known is null ? new(StringComparer.Ordinal) : new(known, StringComparer.Ordinal);
        foreach (var symbol in Sizes.Keys) boundBy[symbol] = "the parameters";
    }

    /// <summary>The size of each symbol bound so far.</summary>
    internal Dictionary<string, long> Sizes { get; }

    /// <summary>Checks <paramref name="value"/> against <paramref name="type"/> and returns it in its runtime form.</summary>
    /// <param name="value">The value given.</param>
    /// <param name="type">Its declared type.</param>
    /// <param name="what">How messages name the value (<c>input x</c>).</param>
    /// <exception cref="ArgumentException">The value does not have the type, or a symbol's size disagrees with an earlier one.</exception>
    internal object? Bind(object? value, IrType type, string what)
    {
        switch (type)
        {
            case TensorValueType t:
                BindTensor(value as Tensor ?? throw Mismatch(value, type, what), t, what);
                return value;
            case ScalarType { Kind: ScalarKind.Int }:
                return value switch { long l => l, int i => (long)i, _ => throw Mismatch(value, type, what) };
            case ScalarType { Kind: ScalarKind.Float }:
                return value switch { double d => d, float f => (double)f, _ => throw Mismatch(value, type, what) };
            case ScalarType:
                return value as bool? ?? throw Mismatch(value, type, what);
            case OptionalType o:
                return value is null ? null : Bind(value, o.Inner, what);
            case ListType l:
                {
                    var list = value as IReadOnlyList<object?> ?? throw Mismatch(value, type, what);
                    var result = new object?[list.Count];
                    for (int i = 0; i < result.Length; i++) result[i] = Bind(list[i], l.Element, $"{what}[{i}]");
                    return result;
                }
            case TupleType tuple:
                {
                    if (value is not object?[] items || items.Length != tuple.Elements.Count) throw Mismatch(value, type, what);
                    var result = new object?[items.Length];
                    for (int i = 0; i < result.Length; i++) result[i] = Bind(items[i], tuple.Elements[i], $"{what}[{i}]");
                    return result;
                }
            default:
                throw new ArgumentException($"{what}: values of type {type} are not supported");
        }
    }

    /// <summary>How messages show a runtime value: a tensor as its type (<c>f32[3, 4]</c>), <c>int 3</c>, <c>a list of 2</c>.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "none",
        Tensor t => TensorValueType.FromConcrete(new TensorType(t.DType, t.Shape)).ToString(),
        long or int => $"int {value}",
        double or float => $"float {value}",
        bool b => b ? "true" : "false",
        object?[] items => $"a tuple or list of {items.Length}",
        IReadOnlyList<object?> list => $"a list of {list.Count}",
        _ => $"a {value.GetType().Name}",
    };

    private void BindTensor(Tensor tensor, TensorValueType type, string what)
    {
        if (tensor.DType != type.DType || tensor.Dim != type.Rank) throw Mismatch(tensor, type, what);
        for (int d = 0; d < type.Rank; d++)
        {
            var dim = type.Shape[d];
            long size = tensor.Size(d);
            if (!dim.IsSymbol)
            {
                if (!dim.Admits(size)) throw Mismatch(tensor, type, what, $": dim {d} must be {dim.Size}");
                continue;
            }
            if (Sizes.TryGetValue(dim.Symbol!, out var bound))
            {
                if (bound != size) throw Mismatch(tensor, type, what, $": dim {d} is ?{dim.Symbol}, which is {bound} in {boundBy[dim.Symbol!]}");
            }
            else
            {
                Sizes[dim.Symbol!] = size;
                boundBy[dim.Symbol!] = what;
            }
        }
    }

    private static ArgumentException Mismatch(object? value, IrType type, string what, string why = "") =>
        new($"{what}: expected {type}, got {Describe(value)}{why}");
}
