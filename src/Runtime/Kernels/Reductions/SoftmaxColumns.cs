using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Reductions;

/// <summary>
/// softmax and log_softmax along a dim that is not the innermost, on contiguous tensors: seen as
/// [outer, n, inner], each block of up to <see cref="Chunk"/> inner columns is processed a whole row
/// at a time with SIMD (row max, then exp(x - max) summed row by row, then one scaling pass), instead
/// of walking each strided line three times.
/// </summary>
internal static class SoftmaxColumns
{
    private const int Chunk = 256;

    /// <summary>The narrowest inner extent worth processing by rows.</summary>
    internal const long MinInner = 8;

    /// <summary>Computes softmax (or log_softmax) of contiguous <paramref name="x"/> along <paramref name="dim"/> into contiguous <paramref name="y"/>.</summary>
    internal static void Run<T>(Tensor x, Tensor y, int dim, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = x.shape[dim];
        long inner = Shapes.Numel(x.shape.AsSpan(dim + 1));
        long outer = Shapes.Numel(x.shape.AsSpan(0, dim));
        long chunks = (inner + Chunk - 1) / Chunk;
        long grain = Math.Max(1, CpuParallel.ElementwiseGrain / (n * Math.Min(inner, Chunk)));
        CpuParallel.For(outer * chunks, grain, (start, end) =>
        {
            for (long task = start; task < end; task++)
            {
                long first = task / chunks * n * inner + task % chunks * Chunk;
                int width = (int)Math.Min(Chunk, inner - task % chunks * Chunk);
                Block<T>(x, y, first, n, inner, width, log);
            }
        });
    }

    private static void Block<T>(Tensor x, Tensor y, long first, long n, long rowStride, int width, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> max = stackalloc T[width];
        Span<T> sum = stackalloc T[width];
        Span<T> term = stackalloc T[width];
        x.Span<T>(first, width).CopyTo(max);
        for (long r = 1; r < n; r++)
            TensorPrimitives.Max(max, x.Span<T>(first + r * rowStride, width), max);
        sum.Clear();
        for (long r = 0; r < n; r++)
        {
            TensorPrimitives.Subtract(x.Span<T>(first + r * rowStride, width), max, term);
            TensorPrimitives.Exp(term, term);
            if (!log) term.CopyTo(y.Span<T>(first + r * rowStride, width));
            TensorPrimitives.Add(sum, term, sum);
        }
        if (log)
        {
            TensorPrimitives.Log(sum, sum);
            for (long r = 0; r < n; r++)
            {
                var row = y.Span<T>(first + r * rowStride, width);
                TensorPrimitives.Subtract(x.Span<T>(first + r * rowStride, width), max, row);
                TensorPrimitives.Subtract(row, sum, row);
            }
        }
        else
        {
            TensorPrimitives.Divide(T.One, sum, sum);
            for (long r = 0; r < n; r++)
            {
                var row = y.Span<T>(first + r * rowStride, width);
                TensorPrimitives.Multiply(row, sum, row);
            }
        }
    }
}
