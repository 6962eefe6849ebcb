namespace Kiln.Kernels.Reductions;

/// <summary>Computes and stores one output of a reduction from the elements it reduces.</summary>
internal interface IReduction<T> where T : unmanaged
{
    /// <summary>Reduces <paramref name="rows"/> into the output element at <paramref name="outOffset"/>.</summary>
    void Reduce(ReducedRows<T> rows, long outOffset);
}

/// <summary>
/// The one reduction engine: walks the output positions of a <see cref="ReduceLayout"/> with
/// <see cref="RowLoop"/> (split across threads when there are many), and hands each one its
/// elements. When there are fewer outputs than threads but many elements each, every output's walk
/// is split across the threads instead.
/// </summary>
internal static class ReduceEngine
{
    /// <summary>Runs <paramref name="reduction"/> for every output of <paramref name="layout"/> over <paramref name="input"/>.</summary>
    internal static void Run<T, TReduction>(Tensor input, ReduceLayout layout, TReduction reduction)
        where T : unmanaged where TReduction : struct, IReduction<T>
    {
        if (layout.OutCount == 0) return;
        long perOutput = Math.Max(layout.InnerCount, 1);
        bool splitEachOutput = layout.OutCount < Threading.NumThreads && layout.InnerCount >= 2 * CpuParallel.ElementwiseGrain;
        long grain = splitEachOutput ? long.MaxValue : Math.Max(1, CpuParallel.ElementwiseGrain / perOutput);
        var rows = new ReducedRows<T>(input, layout, splitEachOutput);
        RowLoop.Run(layout.Kept, [layout.KeptStrides, layout.OutStrides], new OutputRows<T, TReduction>(rows, reduction), grain);
    }

    private readonly struct OutputRows<T, TReduction>(ReducedRows<T> rows, TReduction reduction) : IRowKernel
        where T : unmanaged where TReduction : struct, IReduction<T>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            for (long i = 0; i < n; i++)
                reduction.Reduce(rows.At(offsets[0] + i * strides[0]), offsets[1] + i * strides[1]);
        }
    }
}
