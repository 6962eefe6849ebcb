using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels;
using Kiln.Kernels.Gemm;

namespace Kiln.NN;

/// <summary>Functions mirroring <c>torch.nn.functional</c>.</summary>
public static partial class Functional
{
    /// <summary>
    /// The affine map y = input·weightᵀ + bias (<c>torch.nn.functional.linear</c>): input [*, in_features],
    /// weight [out_features, in_features] (or 1-d [in_features], giving [*]), bias broadcastable to the
    /// result (usually [out_features]). The bias is written first and the product accumulated onto it,
    /// and the transposed weight is read in place, so no temporary is made.
    /// </summary>
    /// <exception cref="ArgumentException">The input is 0-d, the shapes do not match, or the dtypes differ or are bool.</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var dtype = LinalgOps.SameDType("linear", input.DType, weight.DType, "weight");
        if (bias is not null) LinalgOps.SameDType("linear", input.DType, bias.DType, "bias");
        var result = Tensor.Empty(dtype, LinalgOps.LinearShape(input.shape, weight.shape, bias?.shape));
        LinearInto(input, weight, bias, result);
        bool record = GradRecorder.IsNeeded(input, weight) || (bias is not null && GradRecorder.IsNeeded(bias));
        return record ? GradRecorder.Record("linear", Attrs.Empty, [input, weight, bias], [result])[0] : result;
    }

    /// <summary>The product of <see cref="Linear"/> into <paramref name="result"/> (checked, of linear's shape and dtype), recording nothing.</summary>
    internal static void LinearInto(Tensor input, Tensor weight, Tensor? bias, Tensor result) =>
        MatmulKernel.MatmulInto(input, weight.Dim == 2 ? weight.TransposeUntracked(0, 1) : weight, result, accumulate: false, weightB: PackedWeightCache.IsWeight(weight), bias: bias);
}
