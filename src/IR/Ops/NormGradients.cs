using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the norm family, as decompositions into registered ops. Every norm standardises the
/// input over some dims, x̂ = (x − mean)·rstd, and scales it per element or channel; with gy = grad·weight,
/// the input gradient is rstd·(gy − mean(gy) − x̂·mean(gy·x̂)) over the same dims (rms_norm has no mean term),
/// the weight gradient Σ grad·x̂ and the bias gradient Σ grad over the other dims. Normalising with running
/// statistics is affine in the input and in them. (Eager batch_norm passes its running statistics as buffers that
/// never require grad, so in practice they get none.)
/// </summary>
public static class NormGradients
{
    /// <summary>layer_norm: statistics over the trailing normalized_shape dims.</summary>
    public static VjpRule LayerNorm { get; } = c => Trailing(c, "layer_norm", rms: false, c.Attrs.GetDouble("eps", 1e-5));

    /// <summary>rms_norm: x·rsqrt(mean(x²) + eps) over the trailing normalized_shape dims.</summary>
    public static VjpRule RmsNorm { get; } = c =>
        Trailing(c, "rms_norm", rms: true, c.Attrs.GetOptionalDouble("eps") ?? NormRules.RmsNormDefaultEps(c.Input(0).DType));

    /// <summary>group_norm: statistics over each group of channels (with the spatial dims) of each sample.</summary>
    public static VjpRule GroupNorm { get; } = c =>
    {
        var x = c.Input(0);
        long groups = NormOps.NumGroups(c.Attrs), n = x.Shape[0], per = groups == 0 ? 0 : Shapes.Numel(x.Shape) / Math.Max(1, n * groups);
        long[] grouped = [n, groups, per];
        var (weight, bias) = (At(c, 1), At(c, 2));
        var (xhat, rstd) = Standardize(x.Reshape(grouped), [2], c.Attrs.GetDouble("eps", 1e-5), rms: false);
        var grad = c.Grad;
        var perChannel = ChannelShape(x.Rank, x.Shape[1]);
        var gy = weight is null ? grad : grad * weight.Reshape(perChannel);
        var xhatFull = xhat.Reshape(x.Shape);
        var result = new VjpValue?[c.Inputs.Count];
        result[0] = c.NeedsInputGrad[0] ? InputGradient(gy.Reshape(grouped), xhat, rstd, [2], rms: false).Reshape(x.Shape) : null;
        if (weight is not null && c.NeedsInputGrad[1]) result[1] = (grad * xhatFull).Sum(AllBut(x.Rank, 1));
        if (bias is not null && c.NeedsInputGrad[2]) result[2] = grad.Sum(AllBut(x.Rank, 1));
        return result;
    };

    /// <summary>batch_norm: statistics per channel over the batch and spatial dims in training, the running ones in evaluation.</summary>
    public static VjpRule BatchNorm { get; } = c => Channel(c, c.Attrs.GetBool("training", false), batchStats: true);

    /// <summary>instance_norm: statistics per sample and channel over the spatial dims, or the running ones.</summary>
    public static VjpRule InstanceNorm { get; } = c => Channel(c, c.Attrs.GetBool("use_input_stats", true), batchStats: false);

    private static VjpValue?[] Trailing(VjpContext c, string op, bool rms, double eps)
    {
        var x = c.Input(0);
        int k = NormOps.NormalizedShape(op, c.Attrs).Length;
        long[] dims = [.. Enumerable.Range(x.Rank - k, k).Select(d => (long)d)];
        long[] leading = [.. Enumerable.Range(0, x.Rank - k).Select(d => (long)d)];
        var (weight, bias) = (At(c, 1), At(c, 2));
        var (xhat, rstd) = Standardize(x, dims, eps, rms);
        var grad = c.Grad;
        var gy = weight is null ? grad : grad * weight;
        var result = new VjpValue?[c.Inputs.Count];
        result[0] = c.NeedsInputGrad[0] ? InputGradient(gy, xhat, rstd, dims, rms) : null;
        if (weight is not null && c.NeedsInputGrad[1]) result[1] = SumOver(grad * xhat, leading);
        if (bias is not null && c.NeedsInputGrad[2]) result[2] = SumOver(grad, leading);
        return result;
    }

    /// <summary>
    /// batch_norm and instance_norm: inputs (input, running_mean, running_var, weight, bias), results (out,
    /// new_running_mean, new_running_var). With input statistics the new running statistics are
    /// (1 − momentum)·running + momentum·(batch mean, unbiased variance), so their gradients reach the input and
    /// the old statistics too; with running statistics the output is affine in them.
    /// </summary>
    private static VjpValue?[] Channel(VjpContext c, bool inputStats, bool batchStats)
    {
        var x = c.Input(0);
        var (runningMean, runningVar, weight, bias) = (At(c, 1), At(c, 2), At(c, 3), At(c, 4));
        double eps = c.Attrs.GetDouble("eps", 1e-5), momentum = c.Attrs.GetDouble("momentum", 0.1);
        var perChannel = ChannelShape(x.Rank, x.Shape[1]);
        long[] others = AllBut(x.Rank, 1);
        var grad = c.Grad;
        var (newMeanGrad, newVarGrad) = (c.GradOutputs.Count > 1 ? c.GradOutputs[1] : null, c.GradOutputs.Count > 2 ? c.GradOutputs[2] : null);
        var gy = weight is null ? grad : grad * weight.Reshape(perChannel);
        var result = new VjpValue?[c.Inputs.Count];
        VjpValue xhat;
        if (inputStats)
        {
            long[] dims = batchStats ? others : [.. Enumerable.Range(2, x.Rank - 2).Select(d => (long)d)];
            (xhat, var rstd) = Standardize(x, dims, eps, rms: false);
            var inputGrad = InputGradient(gy, xhat, rstd, dims, rms: false);
            // new_running_mean is momentum·(mean over batch and space) either way; new_running_var averages the
            // unbiased variances over the batch (one variance for batch_norm).
            long count = Shapes.Numel(x.Shape) / Math.Max(1, x.Shape[1]);
            long perStat = batchStats ? count : Shapes.Numel(x.Shape.AsSpan(2));
            if (newMeanGrad is not null) inputGrad += newMeanGrad.Reshape(perChannel) * (momentum / count);
            if (newVarGrad is not null)
            {
                var centred = x - Mean(x, dims);
                inputGrad += newVarGrad.Reshape(perChannel) * centred * (2 * momentum * perStat / count / Math.Max(1, perStat - 1));
            }
            result[0] = c.NeedsInputGrad[0] ? inputGrad : null;
            if (runningMean is not null && c.NeedsInputGrad[1] && newMeanGrad is not null) result[1] = newMeanGrad * (1 - momentum);
            if (runningVar is not null && c.NeedsInputGrad[2] && newVarGrad is not null) result[2] = newVarGrad * (1 - momentum);
        }
        else
        {
            var rstd = (runningVar!.Reshape(perChannel) + eps).Call("rsqrt");
            xhat = (x - runningMean!.Reshape(perChannel)) * rstd;
            result[0] = c.NeedsInputGrad[0] ? gy * rstd : null;
            if (c.NeedsInputGrad[1])
                result[1] = PassThrough((-(gy * rstd)).Sum(others), newMeanGrad);
            if (c.NeedsInputGrad[2])
                result[2] = PassThrough((gy * xhat * rstd * rstd).Sum(others) * -0.5, newVarGrad);
        }
        if (weight is not null && c.NeedsInputGrad[3]) result[3] = (grad * xhat).Sum(others);
        if (bias is not null && c.NeedsInputGrad[4]) result[4] = grad.Sum(others);
        return result;
    }

    /// <summary>A running statistic's gradient: its effect on out, plus the gradient of the unchanged copy returned as the new statistic.</summary>
    private static VjpValue PassThrough(VjpValue viaOutput, VjpValue? viaResult) => viaResult is null ? viaOutput : viaOutput + viaResult;

    /// <summary>x̂ and rstd (kept dims) over <paramref name="dims"/>; rms_norm does not subtract the mean.</summary>
    /// <remarks>
    /// Computed in float64 for narrower inputs, as the forward kernels accumulate their statistics: when a group is
    /// nearly constant, x − mean cancels and rstd is large, so float32 statistics would cost the gradient digits.
    /// </remarks>
    private static (VjpValue Xhat, VjpValue Rstd) Standardize(VjpValue x, long[] dims, double eps, bool rms)
    {
        var wide = x.To(DType.Float64);
        var centred = rms ? wide : wide - Mean(wide, dims);
        var rstd = (Mean(centred * centred, dims) + eps).Call("rsqrt");
        return ((centred * rstd).To(x.DType), rstd.To(x.DType));
    }

    private static VjpValue InputGradient(VjpValue gy, VjpValue xhat, VjpValue rstd, long[] dims, bool rms)
    {
        var projected = gy - xhat * Mean(gy * xhat, dims);
        return rstd * (rms ? projected : projected - Mean(gy, dims));
    }

    private static VjpValue Mean(VjpValue x, long[] dims) => x.Call("mean", new Attrs { { "dim", dims }, { "keepdim", true } });

    private static VjpValue SumOver(VjpValue x, long[] dims) => dims.Length == 0 ? x : x.Sum(dims);

    private static long[] AllBut(int rank, int dim) => [.. Enumerable.Range(0, rank).Where(d => d != dim).Select(d => (long)d)];

    /// <summary>[C, 1, ...]: a per-channel vector shaped to broadcast over dim 1 of a rank-<paramref name="rank"/> tensor.</summary>
    private static long[] ChannelShape(int rank, long channels) => [channels, .. Enumerable.Repeat(1L, Math.Max(0, rank - 2))];

    private static VjpValue? At(VjpContext c, int i) => i < c.Inputs.Count ? c.Inputs[i] : null;
}
