using System.Numerics;
using Kiln.Kernels.Reductions;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// What the pooling kernels share: the input read as dense H×W planes in its compute dtype, the split of
/// output rows over threads, and the window arithmetic.
/// </summary>
internal static class PoolPlanes
{
    /// <summary>
    /// The input as the kernels read it: float16 and bfloat16 widened to float32 (pooled in float32 and
    /// rounded once, as in PyTorch), and dense, so that plane p's rows follow each other from p·H·W.
    /// </summary>
    internal static Tensor Dense(Tensor input) => ComputeViews.ComputeView(input).Contiguous();

    /// <summary>A result computed in the compute dtype, given back the input's dtype.</summary>
    internal static Tensor Restore(Tensor result, DType original) => ComputeViews.FromCompute(result, original);

    /// <summary>
    /// Runs <paramref name="body"/> over the output rows [0, <paramref name="rows"/>), split across threads when
    /// the rows hold enough work (<paramref name="costPerRow"/> element operations each) to pay for it.
    /// </summary>
    internal static void ForRows(long rows, long costPerRow, Action<long, long> body)
    {
        long grain = Math.Max(1, CpuParallel.ElementwiseGrain / Math.Max(1, costPerRow));
        CpuParallel.For(rows, grain, body);
    }

    /// <summary>The value every maximum starts from: -∞ for floats, the smallest value for integers.</summary>
    internal static T Lowest<T>() where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float)) return (T)(object)float.NegativeInfinity;
        if (typeof(T) == typeof(double)) return (T)(object)double.NegativeInfinity;
        if (typeof(T) == typeof(long)) return (T)(object)long.MinValue;
        if (typeof(T) == typeof(int)) return (T)(object)int.MinValue;
        if (typeof(T) == typeof(short)) return (T)(object)short.MinValue;
        if (typeof(T) == typeof(sbyte)) return (T)(object)sbyte.MinValue;
        return T.Zero;
    }

    /// <summary>
    /// The window positions o in [First, End) whose element at <paramref name="offset"/> from the window start,
    /// o·stride + offset, lies inside an input of size <paramref name="input"/>.
    /// </summary>
    internal static (long First, long End) Inside(long offset, long stride, long input, long outputs)
    {
        long first = offset < 0 ? (-offset + stride - 1) / stride : 0;
        long last = input - 1 - offset;
        long end = last < 0 ? 0 : Math.Min(outputs, last / stride + 1);
        return (first, Math.Max(first, end));
    }

    /// <summary>
    /// The elements <paramref name="source"/>[o·stride + offset] for o in [<paramref name="first"/>, <paramref name="end"/>):
    /// a slice of the source when the stride is 1, else gathered into <paramref name="buffer"/>, so that the caller
    /// combines them with a vector operation instead of a branchy scalar loop.
    /// </summary>
    internal static ReadOnlySpan<T> Strided<T>(ReadOnlySpan<T> source, long first, long end, long stride, long offset, Span<T> buffer)
    {
        int count = (int)(end - first);
        if (stride == 1)
            return source.Slice((int)(first + offset), count);
        var gathered = buffer[..count];
        for (int i = 0; i < count; i++)
            gathered[i] = source[(int)((first + i) * stride + offset)];
        return gathered;
    }

    /// <summary>PyTorch's first visited position of a dilated window starting at <paramref name="start"/>: stepped by the dilation past the padding.</summary>
    internal static long FirstInside(long start, long dilation) =>
        start >= 0 ? start : start + (-start + dilation - 1) / dilation * dilation;
}
