using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// Adaptive average and max pooling over dense float planes: output cell (i, j) covers input rows
/// [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) and the columns likewise. The rows of a window are reduced along the whole
/// width first (vectorised); positions are found by visiting each window row by row, as PyTorch does.
/// </summary>
internal static class AdaptivePoolKernel
{
    private enum Reduction : byte { Average, Max, ArgMax }

    /// <summary>The averages over each output cell's window (NaN for a window over nothing).</summary>
    internal static Tensor Average(Tensor input, AdaptiveGeometry geometry) => Run(input, geometry, Reduction.Average).Values;

    /// <summary>The maxima over each output cell's window (NaN wins).</summary>
    internal static Tensor Max(Tensor input, AdaptiveGeometry geometry) => Run(input, geometry, Reduction.Max).Values;

    /// <summary>The maxima and their int64 positions h·W + w within the input plane (ties keep the first, the last NaN wins).</summary>
    internal static (Tensor Values, Tensor Indices) ArgMax(Tensor input, AdaptiveGeometry geometry)
    {
        var (values, indices) = Run(input, geometry, Reduction.ArgMax);
        return (values, indices!);
    }

    private static (Tensor Values, Tensor? Indices) Run(Tensor input, AdaptiveGeometry geometry, Reduction reduction)
    {
        var x = PoolPlanes.Dense(input);
        var result = Tensor.Empty(x.DType, geometry.OutputShape);
        var indices = reduction == Reduction.ArgMax ? Tensor.Empty(DType.Int64, geometry.OutputShape) : null;
        TypeDispatch.Float(x.DType, new PoolAction(x, result, indices, geometry, reduction));
        return (PoolPlanes.Restore(result, input.DType), indices);
    }

    private readonly struct PoolAction(Tensor x, Tensor result, Tensor? indices, AdaptiveGeometry g, Reduction reduction) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (src, dst, idx, geometry, kind) = (x, result, indices, g, reduction);
            long plane = geometry.InputHeight * geometry.InputWidth, outWidth = geometry.OutputWidth;
            long cost = plane / Math.Max(1, geometry.OutputHeight) * 2 + geometry.InputWidth;
            PoolPlanes.ForRows(geometry.Planes * geometry.OutputHeight, cost, (start, end) =>
            {
                var column = new T[geometry.InputWidth];
                for (long row = start; row < end; row++)
                {
                    var input = src.Span<T>(row / geometry.OutputHeight * plane, plane);
                    var output = dst.Span<T>(row * outWidth, outWidth);
                    long oh = row % geometry.OutputHeight;
                    if (kind == Reduction.ArgMax) ArgMaxRow(input, output, idx!.Span<long>(row * outWidth, outWidth), geometry, oh);
                    else ReduceRow(input, output, column, geometry, oh, kind == Reduction.Max);
                }
            });
        }
    }

    /// <summary>Output row <paramref name="oh"/>: the window's rows summed (or maximised) into <paramref name="column"/>, then each cell's columns.</summary>
    private static void ReduceRow<T>(ReadOnlySpan<T> plane, Span<T> output, Span<T> column, AdaptiveGeometry g, long oh, bool max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long width = g.InputWidth;
        long h0 = AdaptiveGeometry.Start(oh, g.OutputHeight, g.InputHeight), h1 = AdaptiveGeometry.End(oh, g.OutputHeight, g.InputHeight);
        column.Clear();
        for (long ih = h0; ih < h1; ih++)
        {
            var row = plane.Slice((int)(ih * width), (int)width);
            if (ih == h0) row.CopyTo(column);
            else if (max) TensorPrimitives.Max(column, row, column);
            else TensorPrimitives.Add(column, row, column);
        }
        for (long o = 0; o < g.OutputWidth; o++)
        {
            long w0 = AdaptiveGeometry.Start(o, g.OutputWidth, width), w1 = AdaptiveGeometry.End(o, g.OutputWidth, width);
            var cells = column[(int)w0..(int)w1];
            if (max)
            {
                T best = T.NegativeInfinity;
                foreach (var v in cells) best = T.Max(best, v);
                output[(int)o] = best;
            }
            else
            {
                T sum = T.Zero;
                foreach (var v in cells) sum += v;
                // PyTorch divides by the window's height, then by its width.
                output[(int)o] = sum / T.CreateTruncating(h1 - h0) / T.CreateTruncating(w1 - w0);
            }
        }
    }

    private static void ArgMaxRow<T>(ReadOnlySpan<T> plane, Span<T> output, Span<long> indices, AdaptiveGeometry g, long oh)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long width = g.InputWidth;
        long h0 = AdaptiveGeometry.Start(oh, g.OutputHeight, g.InputHeight), h1 = AdaptiveGeometry.End(oh, g.OutputHeight, g.InputHeight);
        for (long o = 0; o < g.OutputWidth; o++)
        {
            long w0 = AdaptiveGeometry.Start(o, g.OutputWidth, width), w1 = AdaptiveGeometry.End(o, g.OutputWidth, width);
            T best = T.NegativeInfinity;
            long at = h0 * width + w0;
            for (long ih = h0; ih < h1; ih++)
            {
                for (long iw = w0; iw < w1; iw++)
                {
                    T v = plane[(int)(ih * width + iw)];
                    if (v > best || T.IsNaN(v))
                    {
                        best = v;
                        at = ih * width + iw;
                    }
                }
            }
            output[(int)o] = best;
            indices[(int)o] = at;
        }
    }
}
