using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>What every loss kernel shares: the dtype it computes in, and turning per-element losses into its result.</summary>
internal static class LossResults
{
    /// <summary>The static type of a tensor operand, for the shared rules in <see cref="LossRules"/> (null stays null).</summary>
    internal static TensorType? TypeOf(Tensor? t) => t is null ? null : new TensorType(t.DType, t.shape);

    /// <summary>
    /// The dtype a loss computes in: float64 when any operand is float64, float32 otherwise (float16 and
    /// bfloat16 are computed in float32 and rounded once at the end).
    /// </summary>
    internal static DType ComputeDType(params ReadOnlySpan<Tensor?> operands)
    {
        foreach (var t in operands)
        {
            if (t?.DType == DType.Float64) return DType.Float64;
        }
        return DType.Float32;
    }

    /// <summary>Losses computed in float64 as a tensor of shape <paramref name="shape"/> (0-d included), rounded once to <paramref name="compute"/>.</summary>
    internal static Tensor FromValues(double[] values, long[] shape, DType compute) =>
        Tensor.FromArray(values, values.Length).Reshape(shape).To(compute);

    /// <summary>A 0-d result holding <paramref name="value"/>, rounded once to <paramref name="compute"/> and then to <paramref name="result"/>.</summary>
    internal static Tensor Scalar(double value, DType compute, DType result) => Tensor.Full([], value, compute).To(result);

    /// <summary>
    /// Reduces per-element losses (computed in their own dtype) as <paramref name="reduction"/> says, and gives
    /// the result dtype <paramref name="result"/>; <c>batchmean</c> divides the sum by <paramref name="batch"/>.
    /// </summary>
    internal static Tensor Reduce(Tensor unreduced, LossReduction reduction, DType result, long batch = 1) => reduction switch
    {
        LossReduction.None => unreduced.To(result),
        LossReduction.Mean => unreduced.Mean().To(result),
        LossReduction.Sum => unreduced.Sum().To(result),
        _ => unreduced.Sum().Div((double)batch).To(result),
    };
}
