namespace Kiln.IR.Ops;

/// <summary>
/// The shape, dtype and attribute rules of the normalisation ops, with PyTorch's semantics and clear
/// messages. They are public so the eager kernels check their inputs with the same code as the type rules.
/// </summary>
public static class NormRules
{
    /// <summary>The dtypes the normalisation ops accept (float16 and bfloat16 are computed in float32).</summary>
    public static IReadOnlyList<DType> FloatDTypes { get; } = DTypes.Floating;

    /// <summary>
    /// Splits the inputs of batch_norm or instance_norm, (input, running_mean, running_var, weight, bias),
    /// into their roles. The running statistics come as a pair or not at all: 1, 3, 4 or 5 inputs.
    /// </summary>
    /// <exception cref="ArgumentException">The count is not 1, 3, 4 or 5.</exception>
    public static (T Input, T? RunningMean, T? RunningVar, T? Weight, T? Bias) ChannelNormInputs<T>(string op, IReadOnlyList<T> inputs) where T : class
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is 0 or > 5)
            throw new ArgumentException($"{op}: expected 1 to 5 inputs (input, running_mean, running_var, weight, bias), got {inputs.Count}");
        if (inputs.Count == 2)
            throw new ArgumentException($"{op}: running_mean and running_var must be given together, but got running_mean without running_var (2 inputs)");
        T? At(int i) => i < inputs.Count ? inputs[i] : null;
        return (inputs[0], At(1), At(2), At(3), At(4));
    }

    /// <summary>
    /// batch_norm's result types: <c>out</c> (the input's type), then <c>new_running_mean</c> and
    /// <c>new_running_var</c> when the running statistics are given.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype or shape does not fit, eval mode lacks running statistics, or training has one value per channel.</exception>
    public static TensorType[] BatchNorm(TensorType input, TensorType? runningMean, TensorType? runningVar, TensorType? weight, TensorType? bias, bool training)
    {
        const string op = "batch_norm";
        long channels = CheckChannelParams(op, input, runningMean, runningVar, weight, bias);
        if (!training && runningMean is null)
            throw new ArgumentException($"{op}: running_mean and running_var must be given in evaluation mode (training=false); input shape {Shapes.Format(input.Shape)}");
        // PyTorch's check: N × (spatial size) values per channel, and exactly one cannot give a variance.
        if (training && input.Shape[0] * Shapes.Numel(input.Shape.AsSpan(2)) == 1)
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input of shape {Shapes.Format(input.Shape)}");
        return ChannelNormResults(input, runningMean, channels);
    }

    /// <summary>
    /// instance_norm's result types: <c>out</c> (the input's type), then <c>new_running_mean</c> and
    /// <c>new_running_var</c> when the running statistics are given.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype or shape does not fit, running statistics are missing without input statistics, or an instance has one value.</exception>
    public static TensorType[] InstanceNorm(TensorType input, TensorType? runningMean, TensorType? runningVar, TensorType? weight, TensorType? bias, bool useInputStats)
    {
        const string op = "instance_norm";
        long channels = CheckChannelParams(op, input, runningMean, runningVar, weight, bias);
        if (!useInputStats && runningMean is null)
            throw new ArgumentException($"{op}: running_mean and running_var must be given when use_input_stats is false; input shape {Shapes.Format(input.Shape)}");
        if (useInputStats && Shapes.Numel(input.Shape.AsSpan(2)) == 1)
            throw new ArgumentException($"{op}: expected more than 1 spatial element per instance when use_input_stats is true, got input of shape {Shapes.Format(input.Shape)}");
        return ChannelNormResults(input, runningMean, channels);
    }

    /// <summary>
    /// The result type of layer_norm or rms_norm (the input's type): <paramref name="normalizedShape"/> must
    /// be non-empty and equal the input's trailing dims, and the weight and bias must have exactly that shape.
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes or shapes do not fit.</exception>
    public static TensorType LayerNorm(string op, TensorType input, ReadOnlySpan<long> normalizedShape, TensorType? weight, TensorType? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        TypeRules.CheckDType(op, input.DType, FloatDTypes);
        if (normalizedShape.IsEmpty)
            throw new ArgumentException($"{op}: normalized_shape must have at least one dim, got [] (input shape {Shapes.Format(input.Shape)})");
        int rank = normalizedShape.Length;
        if (input.Rank < rank || !input.Shape.AsSpan(input.Rank - rank).SequenceEqual(normalizedShape))
            throw new ArgumentException($"{op}: normalized_shape {Shapes.Format(normalizedShape)} does not match the trailing dims of input {Shapes.Format(input.Shape)} (expected an input of shape [*, {string.Join(", ", normalizedShape.ToArray())}])");
        foreach (var (name, param) in new[] { ("weight", weight), ("bias", bias) })
        {
            if (param is null) continue;
            CheckParamDType(op, name, input, param);
            if (!param.Shape.AsSpan().SequenceEqual(normalizedShape))
                throw new ArgumentException($"{op}: {name} of shape {Shapes.Format(param.Shape)} does not match normalized_shape {Shapes.Format(normalizedShape)} (input shape {Shapes.Format(input.Shape)}); it must have that shape exactly");
        }
        return new TensorType(input.DType, input.Shape);
    }

    /// <summary>
    /// The result type of group_norm (the input's type): input [N, C, *] with C divisible by
    /// <paramref name="numGroups"/>, weight and bias vectors of C elements.
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes, shapes or group count do not fit.</exception>
    public static TensorType GroupNorm(TensorType input, long numGroups, TensorType? weight, TensorType? bias)
    {
        const string op = "group_norm";
        long channels = CheckChannelInput(op, input);
        CheckChannelParam(op, "weight", input, weight, channels);
        CheckChannelParam(op, "bias", input, bias, channels);
        if (numGroups <= 0)
            throw new ArgumentException($"{op}: num_groups must be positive, got {numGroups} (input shape {Shapes.Format(input.Shape)})");
        if (channels % numGroups != 0)
            throw new ArgumentException($"{op}: the {channels} channels of input {Shapes.Format(input.Shape)} are not divisible by num_groups={numGroups}");
        return new TensorType(input.DType, input.Shape);
    }

    /// <summary>rms_norm's default eps: the machine epsilon of the input's dtype (<c>torch.finfo(dtype).eps</c>, as PyTorch 2.4+ does).</summary>
    public static double RmsNormDefaultEps(DType dtype) => dtype switch
    {
        DType.Float64 => 2.220446049250313E-16,
        DType.Float16 => 0.0009765625,
        DType.BFloat16 => 0.0078125,
        _ => 1.1920928955078125E-07,
    };

    /// <summary>A required attribute's value, or an error naming the op and the attribute.</summary>
    /// <exception cref="ArgumentException">The attribute is absent or null.</exception>
    public static object Required(string op, Attrs attrs, string name)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        return attrs[name] ?? throw new ArgumentException($"{op}: the '{name}' attribute is required");
    }

    private static TensorType[] ChannelNormResults(TensorType input, TensorType? runningMean, long channels) =>
        runningMean is null
            ? [new TensorType(input.DType, input.Shape)]
            : [new TensorType(input.DType, input.Shape), new TensorType(input.DType, [channels]), new TensorType(input.DType, [channels])];

    private static long CheckChannelParams(string op, TensorType input, TensorType? runningMean, TensorType? runningVar, TensorType? weight, TensorType? bias)
    {
        long channels = CheckChannelInput(op, input);
        CheckChannelParam(op, "running_mean", input, runningMean, channels);
        CheckChannelParam(op, "running_var", input, runningVar, channels);
        CheckChannelParam(op, "weight", input, weight, channels);
        CheckChannelParam(op, "bias", input, bias, channels);
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: running_mean and running_var must be given together");
        return channels;
    }

    private static long CheckChannelInput(string op, TensorType input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TypeRules.CheckDType(op, input.DType, FloatDTypes);
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected an input of at least 2 dims [N, C, *], got shape {Shapes.Format(input.Shape)}");
        return input.Shape[1];
    }

    private static void CheckChannelParam(string op, string name, TensorType input, TensorType? param, long channels)
    {
        if (param is null) return;
        CheckParamDType(op, name, input, param);
        if (param.Rank != 1 || param.Shape[0] != channels)
            throw new ArgumentException($"{op}: {name} should be a vector of {channels} elements (one per channel of input {Shapes.Format(input.Shape)}), got shape {Shapes.Format(param.Shape)}");
    }

    private static void CheckParamDType(string op, string name, TensorType input, TensorType param)
    {
        if (param.DType != input.DType)
            throw new ArgumentException($"{op}: {name} has dtype {param.DType.Name()}, but the input has dtype {input.DType.Name()}; they must be the same");
    }
}
