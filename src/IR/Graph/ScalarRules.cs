namespace Kiln.IR;

/// <summary>The type rules of the IR primitives (<see cref="Prims"/>); messages name the primitive.</summary>
internal static class ScalarRules
{
    /// <summary>Checks <paramref name="arity"/> int or float operands; int when all are ints, else float.</summary>
    public static IrType Numbers(string name, IReadOnlyList<IrType> t, int arity)
    {
        if (t.Count != arity || !t.All(x => x == ScalarType.Int || x == ScalarType.Float))
            throw new ArgumentException($"{name}: expected {arity} int or float operand(s), got ({string.Join(", ", t)})");
        return t.All(x => x == ScalarType.Int) ? ScalarType.Int : ScalarType.Float;
    }

    /// <summary>Checks two operands that compare for equality: two numbers or two bools.</summary>
    public static void Comparable(string name, IReadOnlyList<IrType> t)
    {
        if (t is [ScalarType { Kind: ScalarKind.Bool }, ScalarType { Kind: ScalarKind.Bool }]) return;
        Numbers(name, t, 2);
    }

    /// <summary>Checks one scalar operand.</summary>
    public static void AnyScalar(string name, IReadOnlyList<IrType> t)
    {
        if (t is not [ScalarType])
            throw new ArgumentException($"{name}: expected one int, float or bool operand, got ({string.Join(", ", t)})");
    }

    /// <summary>Checks one tensor operand and returns its type.</summary>
    public static TensorValueType OneTensor(string name, IReadOnlyList<IrType> t) =>
        t is [TensorValueType tensor] ? tensor
        : throw new ArgumentException($"{name}: expected one tensor operand, got ({string.Join(", ", t)})");

    public static IrType[] TensorSize(IReadOnlyList<IrType> t, Attrs attrs)
    {
        var tensor = OneTensor("tensor_size", t);
        if (!attrs.Contains("dim")) throw new ArgumentException("tensor_size: attribute 'dim' is required");
        long dim = attrs.GetLong("dim", 0);
        if (dim < -tensor.Rank || dim >= tensor.Rank)
            throw new ArgumentException($"tensor_size: dim {dim} is out of range for {tensor} (rank {tensor.Rank})");
        return [ScalarType.Int];
    }

    public static IrType[] TensorItem(IReadOnlyList<IrType> t, Attrs attrs)
    {
        var tensor = OneTensor("tensor_item", t);
        if (tensor.Shape.Any(d => d.IsConstant && d.Size != 1))
            throw new ArgumentException($"tensor_item: the tensor must have one element, but its type is {tensor}");
        return [tensor.DType == DType.Bool ? ScalarType.Bool : tensor.DType.IsFloatingPoint() ? ScalarType.Float : ScalarType.Int];
    }

    public static IrType[] TensorFromScalar(IReadOnlyList<IrType> t, Attrs attrs)
    {
        AnyScalar("tensor_from_scalar", t);
        var dtype = attrs.GetDType("dtype") ?? ((ScalarType)t[0]).Kind switch
        {
            ScalarKind.Int => DType.Int64,
            ScalarKind.Float => DType.Float32,
            _ => DType.Bool,
        };
        return [TensorValueType.Of(dtype)];
    }

    public static IrType[] ListAppend(IReadOnlyList<IrType> t, Attrs attrs)
    {
        if (t is not [ListType list, var element] || list.Element != element)
            throw new ArgumentException($"list_append: expected a list and an element of its type, got ({string.Join(", ", t)})");
        return [list];
    }
}
