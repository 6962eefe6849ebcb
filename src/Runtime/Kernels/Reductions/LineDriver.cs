namespace Kiln.Kernels.Reductions;

/// <summary>Processes one line: <c>n</c> elements along the op's dim, read from the input and written to the output.</summary>
internal interface ILineKernel
{
    /// <summary>Processes the line whose input starts at <paramref name="inOffset"/> and output at <paramref name="outOffset"/>.</summary>
    void Line(long inOffset, long inStride, long outOffset, long outStride, long n);
}

/// <summary>
/// Runs ops that work along one dim and keep the shape (softmax, log_softmax, cumsum, cumprod): every
/// line along the dim is handed to the kernel, the lines walked with <see cref="RowLoop"/> over the
/// other dims (coalesced, split across threads when there is enough work).
/// </summary>
internal static class LineDriver
{
    /// <summary>Runs <paramref name="kernel"/> on every line of <paramref name="input"/> along <paramref name="dim"/>; the output has the input's shape.</summary>
    internal static void Run<TKernel>(Tensor input, Tensor output, int dim, TKernel kernel)
        where TKernel : struct, ILineKernel
    {
        if (input.numel == 0) return;
        if (input.Dim == 0)
        {
            kernel.Line(0, 1, 0, 1, 1);
            return;
        }
        long n = input.shape[dim];
        long[] others = [.. input.shape[..dim], .. input.shape[(dim + 1)..]];
        long[] inStrides = [.. input.strides[..dim], .. input.strides[(dim + 1)..]];
        long[] outStrides = [.. output.strides[..dim], .. output.strides[(dim + 1)..]];
        var lines = new Lines<TKernel>(kernel, input.strides[dim], output.strides[dim], n);
        RowLoop.Run(others, [inStrides, outStrides], lines, Math.Max(1, CpuParallel.ElementwiseGrain / n));
    }

    private readonly struct Lines<TKernel>(TKernel kernel, long inStride, long outStride, long n) : IRowKernel
        where TKernel : struct, ILineKernel
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long count)
        {
            for (long i = 0; i < count; i++)
                kernel.Line(offsets[0] + i * strides[0], inStride, offsets[1] + i * strides[1], outStride, n);
        }
    }
}
