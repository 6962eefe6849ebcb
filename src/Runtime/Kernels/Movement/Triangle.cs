namespace Kiln.Kernels.Movement;

/// <summary>tril and triu: a contiguous copy of the matrices with the elements outside the band cleared.</summary>
internal static class Triangle
{
    /// <summary>
    /// The lower (<paramref name="lower"/>) or upper triangle of each matrix in the last two dims: element (i, j)
    /// is kept when j ≤ i + <paramref name="diagonal"/> (lower) or j ≥ i + <paramref name="diagonal"/> (upper).
    /// </summary>
    internal static Tensor Run(Tensor input, long diagonal, bool lower)
    {
        var result = input.Clone();
        long rows = result.shape[^2], cols = result.shape[^1], count = result.numel / Math.Max(cols, 1);
        if (result.numel == 0) return result;
        int size = result.DType.ElementSize();
        CpuParallel.For(count, Math.Max(1, CpuParallel.ElementwiseGrain / cols), (start, end) =>
        {
            var bytes = result.ByteSpan();
            for (long r = start; r < end; r++)
            {
                long i = r % rows;
                // The cleared columns: [i + diagonal + 1, cols) below the band, [0, i + diagonal) above it.
                long from = lower ? Math.Clamp(i + diagonal + 1, 0, cols) : 0;
                long to = lower ? cols : Math.Clamp(i + diagonal, 0, cols);
                if (to > from)
                    bytes.Slice((int)((r * cols + from) * size), (int)((to - from) * size)).Clear();
            }
        });
        return result;
    }
}
