using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// Max pooling with a fixed (strided, padded, dilated) window over dense planes, one output row per work
/// item, rows split across threads. NaN wins (PyTorch's rule), ties keep the first position.
/// </summary>
internal static class MaxPoolKernel
{
    /// <summary>The maxima: the window's rows are reduced first along the whole input width (vectorised), then each output picks the maximum of its columns.</summary>
    internal static Tensor Values(Tensor input, PoolGeometry geometry)
    {
        var x = PoolPlanes.Dense(input);
        var result = Tensor.Empty(x.DType, geometry.OutputShape);
        TypeDispatch.Number(x.DType, new ValuesAction(x, result, geometry));
        return PoolPlanes.Restore(result, input.DType);
    }

    /// <summary>The maxima and their int64 positions h·W + w within the input plane.</summary>
    internal static (Tensor Values, Tensor Indices) WithIndices(Tensor input, PoolGeometry geometry)
    {
        var x = PoolPlanes.Dense(input);
        var result = Tensor.Empty(x.DType, geometry.OutputShape);
        var indices = Tensor.Empty(DType.Int64, geometry.OutputShape);
        TypeDispatch.Number(x.DType, new IndicesAction(x, result, indices, geometry));
        return (PoolPlanes.Restore(result, input.DType), indices);
    }

    private readonly struct ValuesAction(Tensor x, Tensor result, PoolGeometry geometry) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            var (src, dst, h, w) = (x, result, geometry.Height, geometry.Width);
            long plane = h.Input * w.Input;
            if (MaxPoolTwoByTwo.TryRun<T>(src, dst, null, geometry)) return;
            PoolPlanes.ForRows(geometry.Planes * h.Output, h.Kernel * w.Input + w.Kernel * w.Output, (start, end) =>
            {
                var (column, gathered) = (new T[w.Input], new T[w.Output]);
                for (long row = start; row < end; row++)
                    MaxRow(src.Span<T>(row / h.Output * plane, plane), dst.Span<T>(row * w.Output, w.Output), column, gathered, h, w, row % h.Output);
            });
        }
    }

    private readonly struct IndicesAction(Tensor x, Tensor result, Tensor indices, PoolGeometry geometry) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            var (src, dst, idx, h, w) = (x, result, indices, geometry.Height, geometry.Width);
            long plane = h.Input * w.Input;
            if (MaxPoolTwoByTwo.TryRun<T>(src, dst, idx, geometry)) return;
            PoolPlanes.ForRows(geometry.Planes * h.Output, h.Kernel * w.Kernel * w.Output, (start, end) =>
            {
                for (long row = start; row < end; row++)
                    ArgMaxRow(src.Span<T>(row / h.Output * plane, plane), dst.Span<T>(row * w.Output, w.Output), idx.Span<long>(row * w.Output, w.Output), h, w, row % h.Output);
            });
        }
    }

    /// <summary>
    /// Output row <paramref name="oh"/> of one plane: maxima over the window's rows into <paramref name="column"/>,
    /// then, for each column offset in the window, the maxima with the columns at that offset (vectorised).
    /// </summary>
    private static void MaxRow<T>(ReadOnlySpan<T> plane, Span<T> output, Span<T> column, Span<T> gathered, PoolAxis h, PoolAxis w, long oh) where T : unmanaged, INumber<T>
    {
        int width = (int)w.Input;
        bool any = false;
        for (long k = 0; k < h.Kernel; k++)
        {
            long ih = h.Start(oh) + k * h.Dilation;
            if (ih < 0 || ih >= h.Input) continue;
            var row = plane.Slice((int)(ih * width), width);
            if (any) TensorPrimitives.Max(column, row, column);
            else row.CopyTo(column);
            any = true;
        }
        output.Fill(PoolPlanes.Lowest<T>());
        if (!any) return;
        for (long k = 0; k < w.Kernel; k++)
        {
            long offset = k * w.Dilation - w.Padding;
            var (first, end) = PoolPlanes.Inside(offset, w.Stride, w.Input, w.Output);
            var target = output[(int)first..(int)end];
            TensorPrimitives.Max(target, PoolPlanes.Strided<T>(column, first, end, w.Stride, offset, gathered), target);
        }
    }

    /// <summary>
    /// Output row <paramref name="oh"/> with positions: each window is visited in PyTorch's order (row by row), a value
    /// replacing the best when it is larger or NaN. A window over padding only keeps -∞ and PyTorch's starting position.
    /// </summary>
    private static void ArgMaxRow<T>(ReadOnlySpan<T> plane, Span<T> output, Span<long> indices, PoolAxis h, PoolAxis w, long oh) where T : unmanaged, INumber<T>
    {
        long width = w.Input;
        output.Fill(PoolPlanes.Lowest<T>());
        long firstRow = PoolPlanes.FirstInside(h.Start(oh), h.Dilation);
        for (long o = 0; o < w.Output; o++)
            indices[(int)o] = firstRow * width + PoolPlanes.FirstInside(w.Start(o), w.Dilation);
        for (long kh = 0; kh < h.Kernel; kh++)
        {
            long ih = h.Start(oh) + kh * h.Dilation;
            if (ih < 0 || ih >= h.Input) continue;
            var row = plane.Slice((int)(ih * width), (int)width);
            for (long kw = 0; kw < w.Kernel; kw++)
            {
                long offset = kw * w.Dilation - w.Padding;
                var (first, end) = PoolPlanes.Inside(offset, w.Stride, width, w.Output);
                for (long o = first; o < end; o++)
                {
                    long iw = o * w.Stride + offset;
                    T v = row[(int)iw];
                    if (v > output[(int)o] || T.IsNaN(v))
                    {
                        output[(int)o] = v;
                        indices[(int)o] = ih * width + iw;
                    }
                }
            }
        }
    }
}
