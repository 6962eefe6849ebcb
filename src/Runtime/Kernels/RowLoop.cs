namespace Kiln.Kernels;

/// <summary>Processes one row: <c>n</c> elements of each operand, starting at the given element offsets with the given strides.</summary>
internal interface IRowKernel
{
    /// <summary>Processes one row. Offsets are relative to each operand tensor's own storage offset.</summary>
    void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n);
}

/// <summary>
/// Walks several operands of one (broadcast) shape row by row: dims are coalesced where every operand
/// allows it, so a contiguous or simply broadcast operation becomes a few long rows; large work is
/// split across threads by element range.
/// </summary>
internal static class RowLoop
{
    /// <summary>
    /// Runs <paramref name="kernel"/> over <paramref name="shape"/>, where operand k has element strides
    /// <c>strides[k]</c> (0 on broadcast dims).
    /// </summary>
    internal static void Run<TKernel>(long[] shape, long[][] strides, TKernel kernel, long grain = CpuParallel.ElementwiseGrain)
        where TKernel : struct, IRowKernel
    {
        long total = Shapes.Numel(shape);
        if (total == 0) return;
        var (cshape, cstrides) = Coalesce(shape, strides);
        CpuParallel.For(total, grain, (start, end) => RunRange(cshape, cstrides, kernel, start, end));
    }

    /// <summary>Merges adjacent dims that every operand walks as one, and drops size-1 dims. The result has rank ≥ 1.</summary>
    internal static (long[] Shape, long[][] Strides) Coalesce(long[] shape, long[][] strides)
    {
        int ops = strides.Length;
        var outShape = new List<long>(shape.Length);
        var outStrides = new List<long>[ops];
        for (int k = 0; k < ops; k++) outStrides[k] = new List<long>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            int last = outShape.Count - 1;
            bool merge = last >= 0;
            for (int k = 0; k < ops && merge; k++)
                merge = outStrides[k][last] == strides[k][d] * shape[d];
            if (merge)
            {
                outShape[last] *= shape[d];
                for (int k = 0; k < ops; k++) outStrides[k][last] = strides[k][d];
            }
            else
            {
                outShape.Add(shape[d]);
                for (int k = 0; k < ops; k++) outStrides[k].Add(strides[k][d]);
            }
        }
        if (outShape.Count == 0)
        {
            outShape.Add(1);
            for (int k = 0; k < ops; k++) outStrides[k].Add(0);
        }
        return (outShape.ToArray(), outStrides.Select(s => s.ToArray()).ToArray());
    }

    private static void RunRange<TKernel>(long[] shape, long[][] strides, TKernel kernel, long start, long end)
        where TKernel : struct, IRowKernel
    {
        int rank = shape.Length, ops = strides.Length, last = rank - 1;
        Span<long> index = stackalloc long[rank];
        Span<long> offsets = stackalloc long[ops];
        Span<long> inner = stackalloc long[ops];
        offsets.Clear();
        long rem = start;
        for (int d = last; d >= 0; d--)
        {
            index[d] = rem % shape[d];
            rem /= shape[d];
            for (int k = 0; k < ops; k++) offsets[k] += index[d] * strides[k][d];
        }
        for (int k = 0; k < ops; k++) inner[k] = strides[k][last];
        long remaining = end - start;
        while (remaining > 0)
        {
            long n = Math.Min(shape[last] - index[last], remaining);
            kernel.Row(offsets, inner, n);
            remaining -= n;
            if (remaining == 0) break;
            // Move to the start of the next row, carrying into the outer dims.
            for (int k = 0; k < ops; k++) offsets[k] -= index[last] * inner[k];
            index[last] = 0;
            for (int d = last - 1; d >= 0; d--)
            {
                index[d]++;
                for (int k = 0; k < ops; k++) offsets[k] += strides[k][d];
                if (index[d] < shape[d]) break;
                for (int k = 0; k < ops; k++) offsets[k] -= shape[d] * strides[k][d];
                index[d] = 0;
            }
        }
    }
}
