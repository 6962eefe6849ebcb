namespace Kiln;

/// <summary>How an operand takes part in type promotion (PyTorch's <c>torch.result_type</c> priorities).</summary>
public enum OperandKind : byte
{
    /// <summary>A tensor with at least one dimension: highest priority.</summary>
    Dimensioned,
    /// <summary>A 0-d tensor: only raises the result's category, never its width within a category.</summary>
    ZeroDim,
    /// <summary>A C# number given as an operand: like a 0-d tensor, but floats count as the default float type.</summary>
    Scalar,
}

/// <summary>PyTorch's dtype promotion, implemented once for every op and backend.</summary>
public static class DTypePromotion
{
    /// <summary>
    /// <c>torch.promote_types</c>: the smallest dtype both values fit in. Bool yields to anything;
    /// uint8 with a signed type needs the next signed width; float16 with bfloat16 needs float32;
    /// an integer with a float gives that float.
    /// </summary>
    public static DType Promote(DType a, DType b)
    {
        if (a == b) return a;
        if (a == DType.Bool) return b;
        if (b == DType.Bool) return a;
        bool fa = a.IsFloatingPoint(), fb = b.IsFloatingPoint();
        if (fa && fb)
        {
            if ((a, b) is (DType.Float16, DType.BFloat16) or (DType.BFloat16, DType.Float16))
                return DType.Float32;
            return a > b ? a : b;
        }
        if (fa) return a;
        if (fb) return b;
        // Both integral and different.
        if (a == DType.UInt8) return b == DType.Int8 ? DType.Int16 : b;
        if (b == DType.UInt8) return a == DType.Int8 ? DType.Int16 : a;
        return a > b ? a : b;
    }

    /// <summary>
    /// <c>torch.result_type</c> over operands of different priorities: dimensioned tensors decide the
    /// dtype; 0-d tensors and then C# scalars change it only when they belong to a higher category
    /// (bool &lt; integer &lt; floating point).
    /// </summary>
    public static DType ResultType(ReadOnlySpan<(DType DType, OperandKind Kind)> operands)
    {
        DType? dim = null, zero = null, scalar = null;
        foreach (var (dtype, kind) in operands)
        {
            switch (kind)
            {
                case OperandKind.Dimensioned: dim = Combine(dim, dtype); break;
                case OperandKind.ZeroDim: zero = Combine(zero, dtype); break;
                default: scalar = Combine(scalar, dtype.IsFloatingPoint() ? DTypes.DefaultFloat : dtype); break;
            }
        }
        var result = CombineCategories(dim, CombineCategories(zero, scalar));
        return result ?? throw new ArgumentException("result_type: no operands", nameof(operands));
    }

    /// <summary>The result dtype of a binary op on two tensors of the given dtypes and ranks.</summary>
    public static DType ResultType(DType a, int rankA, DType b, int rankB)
    {
        ReadOnlySpan<(DType, OperandKind)> ops = [(a, KindOf(rankA)), (b, KindOf(rankB))];
        return ResultType(ops);
    }

    /// <summary>The result dtype of a binary op on a tensor and a C# scalar of dtype <paramref name="scalar"/>.</summary>
    public static DType ResultType(DType tensor, int rank, DType scalar)
    {
        ReadOnlySpan<(DType, OperandKind)> ops = [(tensor, KindOf(rank)), (scalar, OperandKind.Scalar)];
        return ResultType(ops);
    }

    private static OperandKind KindOf(int rank) => rank == 0 ? OperandKind.ZeroDim : OperandKind.Dimensioned;

    private static DType Combine(DType? acc, DType d) => acc is { } a ? Promote(a, d) : d;

    private static int Category(DType d) => d == DType.Bool ? 0 : d.IsFloatingPoint() ? 2 : 1;

    private static DType? CombineCategories(DType? higher, DType? lower)
    {
        if (higher is not { } h) return lower;
        if (lower is not { } l) return h;
        return Category(l) > Category(h) ? Promote(h, l) : h;
    }
}
