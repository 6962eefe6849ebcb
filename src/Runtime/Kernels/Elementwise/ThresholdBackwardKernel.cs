using System.Numerics;
using System.Runtime.InteropServices;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Elementwise;

/// <summary>
/// PyTorch's <c>threshold_backward(grad_output, self, threshold)</c>: grad_output where self &gt; threshold (NaN
/// included), else 0. One vectorised pass with no mask temporary (relu's backward).
/// </summary>
internal static class ThresholdBackwardKernel
{
    /// <summary>The gradient in the promoted float dtype of <paramref name="gradOutput"/> and <paramref name="self"/>, broadcast.</summary>
    internal static Tensor Run(Tensor gradOutput, Tensor self, double threshold) =>
        BinaryDriver.Float("threshold_backward", gradOutput, self, Operands.Promote(gradOutput, self), new ThresholdBackwardOp(threshold),
            ActivationOps.ThresholdBackward.DTypes);
}

/// <summary><c>self ≤ threshold ? 0 : grad</c>, so NaN in self passes the gradient.</summary>
internal readonly struct ThresholdBackwardOp(double threshold) : IFloatBinaryOp
{
    public T Apply<T>(T grad, T self) where T : unmanaged, IFloatingPointIeee754<T> => self <= T.CreateTruncating(threshold) ? T.Zero : grad;

    public static bool HasSpan => true;

    public void ApplySpan<T>(ReadOnlySpan<T> grad, ReadOnlySpan<T> self, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T th = T.CreateTruncating(threshold);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var g = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var s = MemoryMarshal.Cast<T, Vector<T>>(self);
            var o = MemoryMarshal.Cast<T, Vector<T>>(d);
            var limit = new Vector<T>(th);
            for (int v = 0; v < o.Length; v++)
                o[v] = Vector.AndNot(g[v], Vector.LessThanOrEqual(s[v], limit));
            i = o.Length * Vector<T>.Count;
        }
        for (; i < d.Length; i++) d[i] = self[i] <= th ? T.Zero : grad[i];
    }

    public void ApplySpan<T>(ReadOnlySpan<T> grad, T self, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (self <= T.CreateTruncating(threshold)) d.Clear();
        else grad.CopyTo(d);
    }

    public void ApplySpan<T>(T grad, ReadOnlySpan<T> self, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T th = T.CreateTruncating(threshold);
        for (int i = 0; i < d.Length; i++) d[i] = self[i] <= th ? T.Zero : grad;
    }
}
