namespace Kiln.IR.Ops;

/// <summary>
/// Normalisation: batch_norm, instance_norm, layer_norm, group_norm and rms_norm, with
/// <c>torch.nn.functional</c>'s inputs, attributes and errors (rules in <see cref="NormRules"/>, samples in
/// <see cref="NormSamples"/>).
/// </summary>
/// <remarks>
/// PyTorch updates batch_norm's and instance_norm's running statistics in place. In the IR the ops stay
/// functional: when the running statistics are given, the updated ones are extra results
/// (<c>new_running_mean</c>, <c>new_running_var</c>) that a graph assigns back, as torch.export's functional
/// form does; the eager <c>Functional.BatchNorm</c> writes them into the given tensors, as PyTorch does.
/// The IR can leave only trailing inputs off, so the running statistics cannot be absent while a weight is
/// given; such a training call is the same as one with any running statistics whose new values are
/// dropped (out does not depend on them in training).
/// </remarks>
public static class NormOps
{
    private static readonly string[] ChannelNormInputs = ["input", "running_mean", "running_var", "weight", "bias"];
    private static readonly string[] ChannelNormOutputs = ["out", "new_running_mean", "new_running_var"];

    /// <summary>
    /// <c>torch.nn.functional.batch_norm</c>: normalises each channel (dim 1) over the batch and spatial dims.
    /// Training normalises with the batch statistics and, when running statistics are given, returns them
    /// updated with <c>momentum</c> (the variance unbiased); evaluation normalises with the running statistics.
    /// </summary>
    public static OpDef BatchNorm { get; } = new()
    {
        Name = "batch_norm",
        Family = "norm",
        Inputs = ChannelNormInputs,
        RequiredInputs = 1,
        Outputs = ChannelNormOutputs,
        Attributes = [new AttrDef("training", "bool", false), new AttrDef("momentum", "float", 0.1), new AttrDef("eps", "float", 1e-5)],
        DTypes = NormRules.FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            var (input, mean, variance, weight, bias) = NormRules.ChannelNormInputs("batch_norm", inputs);
            return NormRules.BatchNorm(input, mean, variance, weight, bias, attrs.GetBool("training", false));
        },
        Samples = NormSamples.BatchNorm,
        Gradient = NormGradients.BatchNorm,
    };

    /// <summary>
    /// <c>torch.nn.functional.instance_norm</c>: normalises each (sample, channel) over the spatial dims. With
    /// <c>use_input_stats</c> and running statistics given, returns them updated with the per-instance
    /// statistics averaged over the batch; without <c>use_input_stats</c>, normalises with the running statistics.
    /// </summary>
    public static OpDef InstanceNorm { get; } = new()
    {
        Name = "instance_norm",
        Family = "norm",
        Inputs = ChannelNormInputs,
        RequiredInputs = 1,
        Outputs = ChannelNormOutputs,
        Attributes = [new AttrDef("use_input_stats", "bool", true), new AttrDef("momentum", "float", 0.1), new AttrDef("eps", "float", 1e-5)],
        DTypes = NormRules.FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            var (input, mean, variance, weight, bias) = NormRules.ChannelNormInputs("instance_norm", inputs);
            return NormRules.InstanceNorm(input, mean, variance, weight, bias, attrs.GetBool("use_input_stats", true));
        },
        Samples = NormSamples.InstanceNorm,
        Gradient = NormGradients.InstanceNorm,
    };

    /// <summary><c>torch.nn.functional.layer_norm</c>: normalises over the trailing <c>normalized_shape</c> dims, with an elementwise weight and bias.</summary>
    public static OpDef LayerNorm { get; } = new()
    {
        Name = "layer_norm",
        Family = "norm",
        Inputs = ["input", "weight", "bias"],
        RequiredInputs = 1,
        Attributes = [new AttrDef("normalized_shape", "ints"), new AttrDef("eps", "float", 1e-5)],
        DTypes = NormRules.FloatDTypes,
        InferTypes = (inputs, attrs) => [TrailingNormType("layer_norm", 3, inputs, attrs)],
        Samples = NormSamples.LayerNorm,
        Gradient = NormGradients.LayerNorm,
    };

    /// <summary><c>torch.nn.functional.group_norm</c>: normalises each group of <c>C / num_groups</c> channels of each sample, with a per-channel weight and bias.</summary>
    public static OpDef GroupNorm { get; } = new()
    {
        Name = "group_norm",
        Family = "norm",
        Inputs = ["input", "weight", "bias"],
        RequiredInputs = 1,
        Attributes = [new AttrDef("num_groups", "int"), new AttrDef("eps", "float", 1e-5)],
        DTypes = NormRules.FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("group_norm", inputs.Count, 3);
            long groups = NumGroups(attrs);
            return [NormRules.GroupNorm(inputs[0], groups, At(inputs, 1), At(inputs, 2))];
        },
        Samples = NormSamples.GroupNorm,
        Gradient = NormGradients.GroupNorm,
    };

    /// <summary>
    /// <c>torch.nn.functional.rms_norm</c> (PyTorch 2.4+): x·rsqrt(mean(x²) + eps)·weight over the trailing
    /// <c>normalized_shape</c> dims; eps defaults to the machine epsilon of the dtype.
    /// </summary>
    public static OpDef RmsNorm { get; } = new()
    {
        Name = "rms_norm",
        Family = "norm",
        Inputs = ["input", "weight"],
        RequiredInputs = 1,
        Attributes = [new AttrDef("normalized_shape", "ints"), new AttrDef("eps", "float")],
        DTypes = NormRules.FloatDTypes,
        InferTypes = (inputs, attrs) => [TrailingNormType("rms_norm", 2, inputs, attrs)],
        Samples = NormSamples.RmsNorm,
        Gradient = NormGradients.RmsNorm,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [BatchNorm, InstanceNorm, LayerNorm, GroupNorm, RmsNorm];

    /// <summary>The <c>normalized_shape</c> attribute of layer_norm or rms_norm.</summary>
    /// <exception cref="ArgumentException">The attribute is absent.</exception>
    public static long[] NormalizedShape(string op, Attrs attrs)
    {
        NormRules.Required(op, attrs, "normalized_shape");
        return attrs.GetLongs("normalized_shape");
    }

    /// <summary>The <c>num_groups</c> attribute of group_norm.</summary>
    /// <exception cref="ArgumentException">The attribute is absent.</exception>
    public static long NumGroups(Attrs attrs)
    {
        NormRules.Required("group_norm", attrs, "num_groups");
        return attrs.GetLong("num_groups", 0);
    }

    private static TensorType TrailingNormType(string op, int maxInputs, IReadOnlyList<TensorType> inputs, Attrs attrs)
    {
        CheckCount(op, inputs.Count, maxInputs);
        var normalizedShape = NormalizedShape(op, attrs);
        return NormRules.LayerNorm(op, inputs[0], normalizedShape, At(inputs, 1), At(inputs, 2));
    }

    private static void CheckCount(string op, int count, int max)
    {
        if (count < 1 || count > max)
            throw new ArgumentException($"{op}: expected 1 to {max} inputs, got {count}");
    }

    private static TensorType? At(IReadOnlyList<TensorType> inputs, int i) => i < inputs.Count ? inputs[i] : null;
}
