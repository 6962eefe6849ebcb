using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Kiln.Kernels.Elementwise;

namespace Kiln.Kernels.Recurrent;

/// <summary>The LSTM cell on one row of units: gates in, new cell state and h out.</summary>
/// <remarks>
/// The cell evaluates five activations per unit, as much work as the step's product, so float32 uses a rational tanh
/// (<see cref="Tanh{TLanes, TVec}"/>) and <c>σ(x) = (1 + tanh(x/2))/2</c>: a dozen fused multiply-adds and a division each,
/// where the exp-based forms take twice the instructions. Both are within 4e-7 of the true values (absolute; σ of very
/// negative x is 0 to within that), which is what gate values that scale other values need; the registry's own sigmoid
/// and tanh ops keep their relative accuracy. The units run 16 to a zmm register where AVX-512 runs, then 8 to a ymm one:
/// every operation is IEEE-rounded lane by lane (a division, not the CPU's reciprocal estimate, which differs between
/// vector widths and vendors), so h and c have the same bits whichever width a unit took. float64, and float32 without
/// FMA, run the registry's activation kernels.
/// </remarks>
internal static unsafe class LstmCell
{
    /// <summary>
    /// For the pre-activation gates (i, f, g, o, each <c>c.Length</c> long) plus <paramref name="bias"/> (laid out
    /// like the gates, or empty for none): <c>c = σ(f)·c + σ(i)·tanh(g)</c> in place and <c>h = σ(o)·tanh(c)</c>.
    /// The gates are overwritten.
    /// </summary>
    internal static void Apply<T>(Span<T> gates, ReadOnlySpan<T> bias, Span<T> c, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = c.Length;
        if (typeof(T) == typeof(float) && Lanes256.IsSupported)
        {
            ApplyFloat(MemoryMarshal.Cast<T, float>(gates), MemoryMarshal.Cast<T, float>(bias), MemoryMarshal.Cast<T, float>(c), MemoryMarshal.Cast<T, float>(h));
            return;
        }
        if (!bias.IsEmpty) TensorPrimitives.Add(gates, bias, gates);
        Span<T> i = gates[..n], f = gates.Slice(n, n), g = gates.Slice(2 * n, n), o = gates.Slice(3 * n, n);
        default(SigmoidOp).ApplySpan<T>(gates[..(2 * n)], gates[..(2 * n)]);
        default(TanhOp).ApplySpan<T>(g, g);
        default(SigmoidOp).ApplySpan<T>(o, o);
        TensorPrimitives.Multiply(i, g, i);
        TensorPrimitives.FusedMultiplyAdd(f, c, i, c);
        default(TanhOp).ApplySpan<T>(c, g);
        TensorPrimitives.Multiply(o, g, h);
    }

    /// <summary>float32 with FMA: whole zmm registers of units, then whole ymm ones; a partial one at the end goes through the same code, padded.</summary>
    private static void ApplyFloat(Span<float> gates, ReadOnlySpan<float> bias, Span<float> c, Span<float> h)
    {
        int n = c.Length, done = 0;
        fixed (float* g = gates, b = bias, cp = c, hp = h)
        {
            if (Lanes512.IsSupported) done = Units<Lanes512, Vector512<float>>(g, b, cp, hp, n, 0);
            done = Units<Lanes256, Vector256<float>>(g, b, cp, hp, n, done);
        }
        if (done == n) return;
        int width = Lanes256.Count, tail = n - done;
        Span<float> padded = stackalloc float[6 * width];
        padded.Clear();
        for (int k = 0; k < 4; k++)
        {
            gates.Slice(k * n + done, tail).CopyTo(padded[(k * width)..]);
            if (!bias.IsEmpty) TensorPrimitives.Add(padded.Slice(k * width, tail), bias.Slice(k * n + done, tail), padded[(k * width)..]);
        }
        c[done..].CopyTo(padded[(4 * width)..]);
        fixed (float* p = padded)
            Units<Lanes256, Vector256<float>>(p, null, p + 4 * width, p + 5 * width, width, 0);
        padded.Slice(4 * width, tail).CopyTo(c[done..]);
        padded.Slice(5 * width, tail).CopyTo(h[done..]);
    }

    /// <summary>
    /// The cell on units [<paramref name="from"/>, <paramref name="n"/>) in whole registers (gates <paramref name="n"/> apart,
    /// bias null for none); returns the first unit left over.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Units<TLanes, TVec>(float* gates, float* bias, float* c, float* h, int n, int from)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        int j = from;
        for (; j + TLanes.Count <= n; j += TLanes.Count)
        {
            var i = Sigmoid<TLanes, TVec>(Gate<TLanes, TVec>(gates, bias, j));
            var f = Sigmoid<TLanes, TVec>(Gate<TLanes, TVec>(gates, bias, n + j));
            var g = Tanh<TLanes, TVec>(Gate<TLanes, TVec>(gates, bias, 2 * n + j));
            var o = Sigmoid<TLanes, TVec>(Gate<TLanes, TVec>(gates, bias, 3 * n + j));
            var cell = TLanes.MultiplyAdd(f, TLanes.Load(c + j), TLanes.Multiply(i, g));
            TLanes.Store(cell, c + j);
            TLanes.Store(TLanes.Multiply(o, Tanh<TLanes, TVec>(cell)), h + j);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Gate<TLanes, TVec>(float* gates, float* bias, int at)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct =>
        bias == null ? TLanes.Load(gates + at) : TLanes.Add(TLanes.Load(gates + at), TLanes.Load(bias + at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Sigmoid<TLanes, TVec>(TVec x)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        var half = TLanes.Broadcast(0.5f);
        return TLanes.MultiplyAdd(Tanh<TLanes, TVec>(TLanes.Multiply(x, half)), half, half);
    }

    /// <summary>
    /// tanh(x) as <c>x·P(x²)/Q(x²)</c> on |x| ≤ 9 (beyond which float32 tanh is ±1), P of degree 5 and Q of degree 3, fitted
    /// for least maximum relative error (5.9e-8 before rounding). NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Tanh<TLanes, TVec>(TVec x)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        var xc = TLanes.Clamp(x, TLanes.Broadcast(-9f), TLanes.Broadcast(9f));
        var t = TLanes.Multiply(xc, xc);
        var p = TLanes.Broadcast(1.8255036864395601e-11f);
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(-1.2780327330246648e-08f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(9.2673724540291301e-06f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.0029207556511616404f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.1291922238120124f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.99999994121201674f));
        var q = TLanes.Broadcast(0.00022809939732523556f);
        q = TLanes.MultiplyAdd(q, t, TLanes.Broadcast(0.023763142375980421f));
        q = TLanes.MultiplyAdd(q, t, TLanes.Broadcast(0.46252506240505808f));
        q = TLanes.MultiplyAdd(q, t, TLanes.Broadcast(1f));
        // Near |x| = 9 the fit rounds a little above 1; tanh never does.
        var tanh = TLanes.Clamp(TLanes.Divide(TLanes.Multiply(xc, p), q), TLanes.Broadcast(-1f), TLanes.Broadcast(1f));
        return TLanes.KeepNaN(x, tanh);
    }
}
