using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// Average pooling with a fixed (strided, padded) window over dense planes. The window's rows are summed
/// along the whole input width first, then each output sums its columns, and the row is divided by the
/// window sizes (all vectorised): with count_include_pad, the window clipped to the padded input (a ceil_mode overhang
/// does not count); without, the elements inside the input; or divisor_override. Integer averages truncate.
/// </summary>
internal static class AvgPoolKernel
{
    /// <summary>The averages of <paramref name="input"/> (a float or int64 tensor) over the windows of <paramref name="geometry"/>.</summary>
    internal static Tensor Run(Tensor input, PoolGeometry geometry, bool countIncludePad, long? divisorOverride)
    {
        var x = PoolPlanes.Dense(input);
        var result = Tensor.Empty(x.DType, geometry.OutputShape);
        TypeDispatch.Number(x.DType, new AverageAction(x, result, geometry, countIncludePad, divisorOverride));
        return PoolPlanes.Restore(result, input.DType);
    }

    private readonly struct AverageAction(Tensor x, Tensor result, PoolGeometry geometry, bool countIncludePad, long? divisorOverride) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            var (src, dst, h, w, includePad, divisor) = (x, result, geometry.Height, geometry.Width, countIncludePad, divisorOverride);
            long plane = h.Input * w.Input;
            PoolPlanes.ForRows(geometry.Planes * h.Output, h.Kernel * w.Input + w.Kernel * w.Output, (start, end) =>
            {
                var (column, gathered) = (new T[w.Input], new T[w.Output]);
                var divisors = new T[w.Output];
                var widths = new T[w.Output];
                for (long o = 0; o < w.Output; o++)
                {
                    var (cols, paddedCols) = Clip(w, o);
                    widths[o] = T.CreateTruncating(includePad ? paddedCols : cols.End - cols.Start);
                }
                for (long row = start; row < end; row++)
                {
                    var output = dst.Span<T>(row * w.Output, w.Output);
                    long oh = row % h.Output;
                    SumRow(src.Span<T>(row / h.Output * plane, plane), output, column, gathered, h, w, oh);
                    if (divisor is { } d)
                    {
                        TensorPrimitives.Divide(output, T.CreateTruncating(d), output);
                        continue;
                    }
                    var (rows, paddedRows) = Clip(h, oh);
                    TensorPrimitives.Multiply(widths, T.CreateTruncating(includePad ? paddedRows : rows.End - rows.Start), divisors);
                    TensorPrimitives.Divide(output, divisors, output);
                }
            });
        }
    }

    /// <summary>
    /// The sums of output row <paramref name="oh"/>'s windows: the window's rows summed into <paramref name="column"/>,
    /// then, for each column offset in the window, the columns at that offset added (vectorised). Every window holds
    /// at least one input element: it starts before the input's end (the ceil_mode rule) and ends after its
    /// start (padding is at most half the kernel).
    /// </summary>
    private static void SumRow<T>(ReadOnlySpan<T> plane, Span<T> output, Span<T> column, Span<T> gathered, PoolAxis h, PoolAxis w, long oh) where T : unmanaged, INumber<T>
    {
        int width = (int)w.Input;
        var (rows, _) = Clip(h, oh);
        plane.Slice((int)rows.Start * width, width).CopyTo(column);
        for (long ih = rows.Start + 1; ih < rows.End; ih++)
            TensorPrimitives.Add(column, plane.Slice((int)ih * width, width), column);
        output.Clear();
        for (long k = 0; k < w.Kernel; k++)
        {
            long offset = k - w.Padding;
            var (first, end) = PoolPlanes.Inside(offset, w.Stride, w.Input, w.Output);
            var target = output[(int)first..(int)end];
            TensorPrimitives.Add(target, PoolPlanes.Strided<T>(column, first, end, w.Stride, offset, gathered), target);
        }
    }

    /// <summary>Window <paramref name="o"/>'s elements inside the input, and its size clipped to the padded input.</summary>
    private static ((long Start, long End) Inside, long Padded) Clip(PoolAxis axis, long o)
    {
        long start = axis.Start(o), end = Math.Min(start + axis.Kernel, axis.Input + axis.Padding);
        return ((Math.Max(start, 0), Math.Min(end, axis.Input)), end - start);
    }
}
