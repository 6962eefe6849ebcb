using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Loss;

/// <summary>mse_loss: (a - b)².</summary>
internal readonly struct MseLossOp : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T diff = a - b;
        return diff * diff;
    }
}

/// <summary>l1_loss: |a - b|.</summary>
internal readonly struct L1LossOp : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(a - b);
}

/// <summary>smooth_l1_loss: 0.5·z²/beta where z = |a - b| &lt; beta, else z - 0.5·beta (beta 0 is the L1 loss).</summary>
internal readonly struct SmoothL1LossOp(double beta) : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T z = T.Abs(a - b), limit = T.CreateTruncating(beta), half = T.CreateTruncating(0.5);
        return z < limit ? half * z * z / limit : z - half * limit;
    }
}

/// <summary>huber_loss: 0.5·z² where z = |a - b| &lt; delta, else delta·(z - 0.5·delta).</summary>
internal readonly struct HuberLossOp(double delta) : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T z = T.Abs(a - b), limit = T.CreateTruncating(delta), half = T.CreateTruncating(0.5);
        return z < limit ? half * z * z : limit * (z - half * limit);
    }
}

/// <summary>
/// binary_cross_entropy: c·((b - 1)·max(log1p(-a), -100) - b·max(log(a), -100)), PyTorch's form (the clamp keeps
/// 0·log(0) finite); a is a probability and anything outside [0, 1] (NaN included) is an error.
/// </summary>
internal readonly struct BinaryCrossEntropyOp : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(a >= T.Zero && a <= T.One)) ThrowOutOfRange(double.CreateTruncating(a));
        T floor = T.CreateTruncating(-100);
        return c * ((b - T.One) * T.Max(T.LogP1(-a), floor) - b * T.Max(T.Log(a), floor));
    }

    [DoesNotReturn]
    private static void ThrowOutOfRange(double value) =>
        throw new ArgumentException($"binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities), got {value}");
}

/// <summary>
/// binary_cross_entropy_with_logits: c·((1 - b)·a + (1 + (d - 1)·b)·(log1p(e^-|a|) + max(-a, 0))), with
/// c the weight and d the pos_weight; log(1 + e^-a) is evaluated so that it neither overflows nor loses small values.
/// </summary>
internal readonly struct BinaryCrossEntropyWithLogitsOp : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T softplus = T.LogP1(T.Exp(-T.Abs(a))) + T.Max(-a, T.Zero);
        T logWeight = (d - T.One) * b + T.One;
        return c * ((T.One - b) * a + logWeight * softplus);
    }
}

/// <summary>kl_div: b·(log(b) - a) with 0 where b is 0 (xlogy), or e^b·(b - a) when the target is a log-probability.</summary>
internal readonly struct KlDivOp(bool logTarget) : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logTarget) return T.Exp(b) * (b - a);
        T xlogx = b == T.Zero ? T.Zero : b * T.Log(b);
        return xlogx - b * a;
    }
}

/// <summary>margin_ranking_loss: max(0, -c·(a - b) + margin), NaN kept (as PyTorch's clamp_min).</summary>
internal readonly struct MarginRankingLossOp(double margin) : IElementwiseLoss
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T v = -c * (a - b) + T.CreateTruncating(margin);
        return v < T.Zero ? T.Zero : v;
    }
}
