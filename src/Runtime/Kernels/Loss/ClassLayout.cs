namespace Kiln.Kernels.Loss;

/// <summary>
/// A class loss's operand viewed as [N, C, D]: the batch, the classes and the trailing dims flattened into
/// one, with element strides. The input [C] is [1, C, 1], [N, C] is [N, C, 1]; a target without the class
/// dim has C = 1.
/// </summary>
/// <param name="Tensor">The tensor the strides index (the operand, or a contiguous copy when its trailing dims cannot be flattened in place).</param>
/// <param name="N">The batch size (1 when unbatched).</param>
/// <param name="C">The number of classes (1 for a class-index target).</param>
/// <param name="D">The product of the trailing dims (1 when there are none).</param>
/// <param name="StrideN">The element stride of the batch dim.</param>
/// <param name="StrideC">The element stride of the class dim.</param>
/// <param name="StrideD">The element stride of the flattened trailing dims.</param>
internal readonly record struct ClassLayout(Tensor Tensor, long N, long C, long D, long StrideN, long StrideC, long StrideD)
{
    /// <summary>N·D, the number of positions that each get one loss.</summary>
    internal long Positions => N * D;

    /// <summary>The element offset of class 0 at position <paramref name="p"/> (p = n·D + d).</summary>
    internal long Offset(long p) => D == 1 ? p * StrideN : p / D * StrideN + p % D * StrideD;

    /// <summary>An input (or class-probability target): [C], [N, C] or [N, C, d1, ...].</summary>
    internal static ClassLayout OfInput(Tensor x)
    {
        if (x.Dim == 1) return new(x, 1, x.shape[0], 1, 0, x.strides[0], 0);
        if (!TryFlatten(x, 2, out long d, out long sd))
        {
            x = x.Contiguous();
            TryFlatten(x, 2, out d, out sd);
        }
        return new(x, x.shape[0], x.shape[1], d, x.strides[0], x.strides[1], sd);
    }

    /// <summary>A class-index target: 0-d (for an unbatched input), [N] or [N, d1, ...].</summary>
    internal static ClassLayout OfTarget(Tensor t)
    {
        if (t.Dim == 0) return new(t, 1, 1, 1, 0, 0, 0);
        if (!TryFlatten(t, 1, out long d, out long sd))
        {
            t = t.Contiguous();
            TryFlatten(t, 1, out d, out sd);
        }
        return new(t, t.shape[0], 1, d, t.strides[0], 0, sd);
    }

    /// <summary>Whether dims <paramref name="from"/>.. of <paramref name="t"/> walk as one dim of size <paramref name="size"/> and stride <paramref name="stride"/>.</summary>
    private static bool TryFlatten(Tensor t, int from, out long size, out long stride)
    {
        size = 1;
        stride = 0;
        long next = 0;
        for (int i = t.Dim - 1; i >= from; i--)
        {
            long n = t.shape[i];
            if (n == 0)
            {
                size = 0;
                return true;
            }
            if (n == 1) continue;
            if (size == 1) stride = t.strides[i];
            else if (t.strides[i] != next) return false;
            size *= n;
            next = t.strides[i] * n;
        }
        return true;
    }
}
