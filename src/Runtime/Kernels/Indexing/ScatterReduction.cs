namespace Kiln.Kernels.Indexing;

/// <summary>
/// The accumulating scatters (scatter_add, scatter_reduce, index_add) on top of <see cref="ScatterKernel"/>,
/// dispatched on the target's dtype: sums, products, amax and amin round to the dtype after every step as
/// PyTorch's CPU kernels do; mean divides by the number of values each position received (floor division
/// for integers).
/// </summary>
internal static class ScatterReduction
{
    /// <summary>
    /// Reduces src into target in place, at the checked index along dim, with <paramref name="reduce"/> (sum,
    /// prod, mean, amax or amin, already checked). Without <paramref name="includeSelf"/> the target's own
    /// values take no part: the positions written start from the reduction's identity.
    /// </summary>
    internal static void Into(Tensor target, int dim, Tensor index, Tensor src, string reduce, bool includeSelf)
    {
        if (!includeSelf)
            ScatterKernel.Assign(target, dim, index, Broadcast(Identity(reduce, target.DType), index.shape));
        switch (reduce)
        {
            case "prod": Combine(target, dim, index, src, new ProdOp()); break;
            case "amax": Combine(target, dim, index, src, new MaxOp()); break;
            case "amin": Combine(target, dim, index, src, new MinOp()); break;
            default: Combine(target, dim, index, src, new SumOp()); break;
        }
        if (reduce == "mean") DivideByCounts(target, dim, index, includeSelf);
    }

    /// <summary><c>target += alpha · src</c> at the checked index along <paramref name="dim"/> (scatter_add, index_add).</summary>
    internal static void Add(Tensor target, int dim, Tensor index, Tensor src, double alpha)
    {
        long integerAlpha = target.DType == DType.Bool ? (alpha != 0 ? 1 : 0) : (long)alpha;
        // The plain sum has a vector form for dense runs; alpha = 1 (or its integer equivalent) is that sum.
        if (target.DType.IsFloatingPoint() ? alpha == 1 : integerAlpha == 1)
            Combine(target, dim, index, src, new SumOp());
        else
            Combine(target, dim, index, src, new ScaledSumOp(alpha, integerAlpha));
    }

    /// <summary>A 0-d tensor viewed (with strides 0) as a tensor of <paramref name="shape"/>.</summary>
    internal static Tensor Broadcast(Tensor scalar, long[] shape) => scalar.AsStrided((long[])shape.Clone(), new long[shape.Length], scalar.offset);

    private static void Combine<W>(Tensor target, int dim, Tensor index, Tensor src, W op) where W : struct, IWideOp =>
        ElementDispatch.ByDType(target.DType, new CombineAction<W>(target, dim, index, src, op));

    private readonly struct CombineAction<W>(Tensor target, int dim, Tensor index, Tensor src, W op) : IElementAction
        where W : struct, IWideOp
    {
        public void Invoke<T, E>() where T : unmanaged where E : IElementIO<T> =>
            ScatterKernel.Run<T, Combine<T, E, W>>(target, dim, index, src, new(op));
    }

    /// <summary>The value a reduction starts from: 0 for sums, 1 for products, the lowest value for amax, the highest for amin.</summary>
    private static Tensor Identity(string reduce, DType dtype)
    {
        var t = Tensor.Empty(dtype, []);
        bool max = reduce == "amax";
        if (reduce == "prod")
        {
            ElementStore.Set(t, 0, 1L);
        }
        else if (reduce is not ("amax" or "amin"))
        {
            ElementStore.Set(t, 0, 0L);
        }
        else if (dtype.IsFloatingPoint())
        {
            ElementStore.Set(t, 0, max ? double.NegativeInfinity : double.PositiveInfinity);
        }
        else
        {
            var (lowest, highest) = Tensor.IntegralRange(dtype);
            ElementStore.Set(t, 0, max ? lowest : highest);
        }
        return t;
    }

    /// <summary>Divides each position by how many values it received (counting its own unless not included; at least 1).</summary>
    private static void DivideByCounts(Tensor target, int dim, Tensor index, bool includeSelf)
    {
        var counts = Tensor.Full(target.shape, includeSelf ? 1L : 0L, DType.Int64);
        ScatterKernel.Run<long, Combine<long, I64IO, SumOp>>(counts, dim, index, Broadcast(Tensor.Scalar(1L), index.shape), default);
        ElementDispatch.ByDType(target.DType, new DivideAction(target, counts));
    }

    private readonly struct DivideAction(Tensor target, Tensor counts) : IElementAction
    {
        public void Invoke<T, E>() where T : unmanaged where E : IElementIO<T> =>
            RowLoop.Run(target.shape, [target.strides, counts.strides], new DivideRows<T, E>(target, counts));
    }

    private readonly struct DivideRows<T, E>(Tensor target, Tensor counts) : IRowKernel
        where T : unmanaged where E : IElementIO<T>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            for (long i = 0; i < n; i++)
            {
                ref T v = ref target.Ref<T>(offsets[0] + i * strides[0]);
                long c = Math.Max(counts.Ref<long>(offsets[1] + i * strides[1]), 1);
                v = E.IsFloat ? E.FromDouble(E.ToDouble(v) / c) : E.FromLong(FloorDiv(E.ToLong(v), c));
            }
        }

        private static long FloorDiv(long a, long b)
        {
            long q = a / b;
            return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
        }
    }
}
