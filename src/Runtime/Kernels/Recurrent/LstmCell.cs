using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Recurrent;

/// <summary>The LSTM cell: pre-activation gates (i, f, g, o) and the cell state in, new cell state and h out.</summary>
/// <remarks>
/// The cell evaluates five activations per unit and lane, as much work as a small step's product, so float32 in registers
/// uses a rational tanh (<see cref="Tanh{TLanes, TVec}"/>) and <c>σ(x) = (1 + tanh(x/2))/2</c>: a dozen fused multiply-adds
/// and a division each, where the exp-based forms take twice the instructions. Both are within 4e-7 of the true values
/// (absolute; σ of very negative x is 0 to within that), which is what gate values that scale other values need; the
/// registry's own sigmoid and tanh ops keep their relative accuracy. Every operation is IEEE-rounded lane by lane (a
/// division, not the CPU's reciprocal estimate, which differs between vector widths and vendors), so zmm and ymm registers
/// give the same bits. float64, and float32 without FMA, take <see cref="Scalar{T}"/>.
/// </remarks>
internal static unsafe class LstmCell
{
    /// <summary>
    /// One unit for a register of lanes: <c>c = σ(f)·c + σ(i)·tanh(g)</c> in place at <paramref name="c"/>, and
    /// <c>h = σ(o)·tanh(c)</c> written to <paramref name="h"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Unit<TLanes, TVec>(TVec i, TVec f, TVec g, TVec o, float* c, float* h)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        var cell = TLanes.MultiplyAdd(Sigmoid<TLanes, TVec>(f), TLanes.Load(c), TLanes.Multiply(Sigmoid<TLanes, TVec>(i), Tanh<TLanes, TVec>(g)));
        TLanes.Store(cell, c);
        TLanes.Store(TLanes.Multiply(Sigmoid<TLanes, TVec>(o), Tanh<TLanes, TVec>(cell)), h);
    }

    /// <summary>The cell on one unit and lane with the exact activations: updates <paramref name="c"/> and returns h.</summary>
    internal static T Scalar<T>(T i, T f, T g, T o, ref T c) where T : IFloatingPointIeee754<T>
    {
        c = Sigmoid(f) * c + Sigmoid(i) * T.Tanh(g);
        return Sigmoid(o) * T.Tanh(c);

        static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));
    }

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
