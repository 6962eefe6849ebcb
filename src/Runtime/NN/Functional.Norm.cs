using Kiln.Kernels.Norm;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// Batch normalisation (<c>torch.nn.functional.batch_norm</c>) of an input [N, C, *] over every dim but
    /// the channels (dim 1): (x - mean)/sqrt(var + eps)·weight + bias. In training the batch's mean and
    /// (biased) variance are used and, when running statistics are given, they are updated in place:
    /// running = (1 - momentum)·running + momentum·batch, with the unbiased batch variance. In evaluation
    /// the running statistics are used. float16 and bfloat16 are computed in float32.
    /// </summary>
    /// <param name="input">The input, [N, C, *].</param>
    /// <param name="runningMean">The running mean [C] (updated in training), or null.</param>
    /// <param name="runningVar">The running variance [C] (updated in training), or null.</param>
    /// <param name="weight">The per-channel scale [C], or null for 1.</param>
    /// <param name="bias">The per-channel shift [C], or null for 0.</param>
    /// <param name="training">Whether to normalise with the batch statistics (and update the running ones).</param>
    /// <param name="momentum">The weight of the batch statistics in the running update.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <exception cref="ArgumentException">
    /// A shape or dtype does not match, only one of the running statistics is given, evaluation has no
    /// running statistics, or training has one value per channel.
    /// </exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (output, newMean, newVar) = NormKernels.BatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
        output = TrackChannelNorm((output, newMean, newVar), "batch_norm", [input, runningMean, runningVar, weight, bias], "training", training, momentum, eps);
        if (training && newMean is not null && newVar is not null)
            UpdateRunningStats(runningMean!, runningVar!, newMean, newVar);
        return output;
    }

    /// <summary>
    /// Instance normalisation (<c>torch.nn.functional.instance_norm</c>) of an input [N, C, *]: each sample's
    /// channel normalised over its spatial dims, then scaled by weight and shifted by bias (per channel). With
    /// <paramref name="useInputStats"/> the instances' own statistics are used and given running statistics are
    /// updated in place with their batch average (as PyTorch does); otherwise the running statistics are used.
    /// </summary>
    /// <param name="input">The input, [N, C, *].</param>
    /// <param name="runningMean">The running mean [C] (written back, as PyTorch does), or null.</param>
    /// <param name="runningVar">The running variance [C] (written back, as PyTorch does), or null.</param>
    /// <param name="weight">The per-channel scale [C], or null for 1.</param>
    /// <param name="bias">The per-channel shift [C], or null for 0.</param>
    /// <param name="useInputStats">Whether to normalise with each instance's statistics.</param>
    /// <param name="momentum">The weight of the instances' statistics in the running update.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <exception cref="ArgumentException">A shape or dtype does not match, running statistics are missing without input statistics, or an instance has one value.</exception>
    public static Tensor InstanceNorm(Tensor input, Tensor? runningMean = null, Tensor? runningVar = null, Tensor? weight = null, Tensor? bias = null,
        bool useInputStats = true, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (output, newMean, newVar) = NormKernels.InstanceNorm(input, runningMean, runningVar, weight, bias, useInputStats, momentum, eps);
        output = TrackChannelNorm((output, newMean, newVar), "instance_norm", [input, runningMean, runningVar, weight, bias], "use_input_stats", useInputStats, momentum, eps);
        if (newMean is not null && newVar is not null)
            UpdateRunningStats(runningMean!, runningVar!, newMean, newVar);
        return output;
    }

    /// <summary>
    /// Layer normalisation (<c>torch.nn.functional.layer_norm</c>) over the trailing dims
    /// <paramref name="normalizedShape"/>: (x - mean)/sqrt(var + eps)·weight + bias, with the weight and bias
    /// of shape <paramref name="normalizedShape"/>. float16 and bfloat16 are computed in float32.
    /// </summary>
    /// <exception cref="ArgumentException">The normalized shape is empty or does not match the input's trailing dims, or the weight or bias does not have that shape.</exception>
    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        var output = NormKernels.LayerNorm("layer_norm", input, normalizedShape, weight, bias, eps, rms: false);
        return NormNeedsGrad(input, weight, bias)
            ? GradRecorder.Record("layer_norm", new IR.Attrs { { "normalized_shape", normalizedShape }, { "eps", eps } }, Trim([input, weight, bias]), [output])[0]
            : output;
    }

    /// <summary>
    /// Group normalisation (<c>torch.nn.functional.group_norm</c>) of an input [N, C, *]: the channels split
    /// into <paramref name="numGroups"/> groups, each sample's group normalised over its channels and spatial
    /// dims, then scaled by weight and shifted by bias (per channel).
    /// </summary>
    /// <exception cref="ArgumentException">C is not divisible by the group count, the count is not positive, or a shape or dtype does not match.</exception>
    public static Tensor GroupNorm(Tensor input, long numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = NormKernels.GroupNorm(input, numGroups, weight, bias, eps);
        return NormNeedsGrad(input, weight, bias)
            ? GradRecorder.Record("group_norm", new IR.Attrs { { "num_groups", numGroups }, { "eps", eps } }, Trim([input, weight, bias]), [output])[0]
            : output;
    }

    /// <summary>
    /// Root-mean-square normalisation (<c>torch.nn.functional.rms_norm</c>, PyTorch 2.4+) over the trailing
    /// dims <paramref name="normalizedShape"/>: x/sqrt(mean(x²) + eps)·weight. <paramref name="eps"/> defaults
    /// to the machine epsilon of the input's dtype (<c>torch.finfo(dtype).eps</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The normalized shape is empty or does not match the input's trailing dims, or the weight does not have that shape.</exception>
    public static Tensor RmsNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, double? eps = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        double epsilon = eps ?? IR.Ops.NormRules.RmsNormDefaultEps(input.DType);
        var output = NormKernels.LayerNorm("rms_norm", input, normalizedShape, weight, null, epsilon, rms: true);
        return NormNeedsGrad(input, weight, null)
            ? GradRecorder.Record("rms_norm", new IR.Attrs { { "normalized_shape", normalizedShape }, { "eps", epsilon } }, Trim([input, weight]), [output])[0]
            : output;
    }

    private static bool NormNeedsGrad(Tensor input, Tensor? weight, Tensor? bias) =>
        GradRecorder.IsNeeded(input) || (weight is not null && GradRecorder.IsNeeded(weight)) || (bias is not null && GradRecorder.IsNeeded(bias));

    /// <summary>The inputs without the optional ones left off the end.</summary>
    private static Tensor?[] Trim(Tensor?[] inputs)
    {
        int count = inputs.Length;
        while (count > 1 && inputs[count - 1] is null) count--;
        return inputs[..count];
    }

    /// <summary>
    /// Records batch_norm or instance_norm (the running statistics are inputs without gradients) with all its results,
    /// so a tracer sees where the updated statistics come from; <paramref name="modeAttr"/> is the op's training /
    /// use_input_stats switch.
    /// </summary>
    private static Tensor TrackChannelNorm((Tensor Out, Tensor? NewMean, Tensor? NewVar) results, string op, Tensor?[] inputs, string modeAttr, bool mode, double momentum, double eps)
    {
        if (!NormNeedsGrad(inputs[0]!, inputs[3], inputs[4])) return results.Out;
        var attrs = new IR.Attrs { { modeAttr, mode }, { "momentum", momentum }, { "eps", eps } };
        Tensor[] outputs = results is (_, { } mean, { } variance) ? [results.Out, mean, variance] : [results.Out];
        return GradRecorder.Record(op, attrs, Trim(inputs), outputs)[0];
    }

    /// <summary>
    /// Writes the updated running statistics into the given buffers: a state update outside autograd, as in PyTorch
    /// (Copy_ bumps their version counters, so a graph that saved them sees the change).
    /// </summary>
    private static void UpdateRunningStats(Tensor runningMean, Tensor runningVar, Tensor newMean, Tensor newVar)
    {
        using (Autograd.NoGrad())
        {
            runningMean.Copy_(newMean);
            runningVar.Copy_(newVar);
        }
    }
}
