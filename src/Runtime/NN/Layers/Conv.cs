namespace Kiln.NN;

/// <summary>
/// What Conv1d, Conv2d and ConvTranspose2d share (<c>torch.nn.modules.conv._ConvNd</c>): sizes per spatial dim,
/// the weight and bias with PyTorch's initialisation, and the padding modes.
/// </summary>
public abstract class ConvNd : Module<Tensor, Tensor>
{
    private protected ConvNd(string layer, int spatialDims, long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
        string? paddingString, long[] dilation, long groups, bool bias, string paddingMode, bool transposed, long[] outputPadding, DType dtype)
    {
        LayerChecks.Positive(layer, ("inChannels", inChannels), ("outChannels", outChannels), ("groups", groups));
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{layer}: inChannels ({inChannels}) and outChannels ({outChannels}) must both be divisible by groups ({groups})");
        if (paddingMode is not ("zeros" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"{layer}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '{paddingMode}'");
        if (paddingString is not (null or "same" or "valid"))
            throw new ArgumentException($"{layer}: padding must be 'same', 'valid' or sizes, got '{paddingString}'");
        if (paddingString == "same" && stride.Any(s => s != 1))
            throw new ArgumentException($"{layer}: padding='same' is not supported for strided convolutions (stride {LayerChecks.Py(stride)})");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = Expand(layer, "kernelSize", kernelSize, spatialDims);
        Stride = Expand(layer, "stride", stride, spatialDims);
        Padding = paddingString == "valid" ? new long[spatialDims] : Expand(layer, "padding", padding, spatialDims);
        PaddingString = paddingString == "valid" ? null : paddingString;
        Dilation = Expand(layer, "dilation", dilation, spatialDims);
        OutputPadding = Expand(layer, "outputPadding", outputPadding, spatialDims);
        Groups = groups;
        PaddingMode = paddingMode;
        long[] weightShape = transposed ? [inChannels, outChannels / groups, .. KernelSize] : [outChannels, inChannels / groups, .. KernelSize];
        Weight = LayerChecks.NewParameter(layer, weightShape, dtype);
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5));
        if (bias)
        {
            Bias = LayerChecks.NewParameter(layer, [outChannels], dtype);
            LayerChecks.UniformByFanIn(Bias, Init.CalculateFanInAndFanOut(Weight).FanIn);
        }
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>The kernel's size per spatial dim.</summary>
    public long[] KernelSize { get; }

    /// <summary>The stride per spatial dim.</summary>
    public long[] Stride { get; }

    /// <summary>The padding per spatial dim (unused when <see cref="PaddingString"/> is "same").</summary>
    public long[] Padding { get; }

    /// <summary>"same" when the padding is chosen to keep the size, else null.</summary>
    public string? PaddingString { get; }

    /// <summary>The dilation per spatial dim.</summary>
    public long[] Dilation { get; }

    /// <summary>Extra size added to one side of a transposed convolution's output.</summary>
    public long[] OutputPadding { get; }

    /// <summary>The number of channel groups.</summary>
    public long Groups { get; }

    /// <summary>How the input is padded: "zeros", "reflect", "replicate" or "circular".</summary>
    public string PaddingMode { get; }

    /// <summary>The kernel weights.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, or null when created without one.</summary>
    public Parameter? Bias { get; }

    /// <summary>The input padded explicitly for the non-zero padding modes (the convolution then pads nothing).</summary>
    private protected Tensor PadForMode(Tensor input)
    {
        var pad = new long[2 * Padding.Length];
        for (int i = 0; i < Padding.Length; i++)
            pad[2 * i] = pad[2 * i + 1] = Padding[Padding.Length - 1 - i];
        return Functional.Pad(input, pad, PaddingMode);
    }

    private static long[] Expand(string layer, string name, long[] values, int dims)
    {
        if (values.Length == 1 && dims > 1) return Enumerable.Repeat(values[0], dims).ToArray();
        if (values.Length != dims)
            throw new ArgumentException($"{layer}: {name} needs 1 or {dims} values, got {LayerChecks.Py(values)}");
        return (long[])values.Clone();
    }

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={LayerChecks.Py(KernelSize)}, stride={LayerChecks.Py(Stride)}";
        if (PaddingString is not null) s += $", padding={PaddingString}";
        else if (Padding.Any(p => p != 0)) s += $", padding={LayerChecks.Py(Padding)}";
        if (Dilation.Any(d => d != 1)) s += $", dilation={LayerChecks.Py(Dilation)}";
        if (OutputPadding.Any(p => p != 0)) s += $", output_padding={LayerChecks.Py(OutputPadding)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        if (PaddingMode != "zeros") s += $", padding_mode={PaddingMode}";
        return s;
    }
}

/// <summary>A 1-D convolution over (N, C, L) inputs (<c>torch.nn.Conv1d</c>).</summary>
public sealed class Conv1d : ConvNd
{
    /// <summary>A 1-D convolution layer.</summary>
    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1,
        bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32)
        : base("Conv1d", 1, inChannels, outChannels, [kernelSize], [stride], [padding], null, [dilation], groups, bias, paddingMode, false, [0], dtype)
    {
    }

    /// <summary>A 1-D convolution layer with padding "same" or "valid".</summary>
    public Conv1d(long inChannels, long outChannels, long kernelSize, string padding, long stride = 1, long dilation = 1, long groups = 1,
        bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32)
        : base("Conv1d", 1, inChannels, outChannels, [kernelSize], [stride], [0], padding, [dilation], groups, bias, paddingMode, false, [0], dtype)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (PaddingString is { } p) return Functional.Conv1d(input, Weight, Bias, Stride, p, Dilation, Groups);
        return PaddingMode == "zeros"
            ? Functional.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups)
            : Functional.Conv1d(PadForMode(input), Weight, Bias, Stride, [0], Dilation, Groups);
    }
}

/// <summary>A 2-D convolution over (N, C, H, W) inputs (<c>torch.nn.Conv2d</c>).</summary>
public sealed class Conv2d : ConvNd
{
    /// <summary>A 2-D convolution layer with square kernel, stride, padding and dilation.</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1,
        bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32)
        : this(inChannels, outChannels, [kernelSize], [stride], [padding], [dilation], groups, bias, paddingMode, dtype)
    {
    }

    /// <summary>A 2-D convolution layer with per-dim sizes (one value applies to both dims).</summary>
    public Conv2d(long inChannels, long outChannels, long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1,
        bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32)
        : base("Conv2d", 2, inChannels, outChannels, kernelSize, stride ?? [1], padding ?? [0], null, dilation ?? [1], groups, bias, paddingMode, false, [0], dtype)
    {
    }

    /// <summary>A 2-D convolution layer with padding "same" or "valid".</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, string padding, long stride = 1, long dilation = 1, long groups = 1,
        bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32)
        : base("Conv2d", 2, inChannels, outChannels, [kernelSize], [stride], [0], padding, [dilation], groups, bias, paddingMode, false, [0], dtype)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (PaddingString is { } p) return Functional.Conv2d(input, Weight, Bias, Stride, p, Dilation, Groups);
        return PaddingMode == "zeros"
            ? Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups)
            : Functional.Conv2d(PadForMode(input), Weight, Bias, Stride, [0, 0], Dilation, Groups);
    }
}

/// <summary>A 2-D transposed convolution (<c>torch.nn.ConvTranspose2d</c>), the gradient of Conv2d with respect to its input.</summary>
public sealed class ConvTranspose2d : ConvNd
{
    /// <summary>A transposed convolution layer (one value applies to both dims).</summary>
    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long outputPadding = 0, long groups = 1,
        bool bias = true, long dilation = 1, DType dtype = DType.Float32)
        : base("ConvTranspose2d", 2, inChannels, outChannels, [kernelSize], [stride], [padding], null, [dilation], groups, bias, "zeros", true, [outputPadding], dtype)
    {
    }

    /// <summary>A transposed convolution layer with per-dim sizes.</summary>
    public ConvTranspose2d(long inChannels, long outChannels, long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? outputPadding = null,
        long groups = 1, bool bias = true, long[]? dilation = null, DType dtype = DType.Float32)
        : base("ConvTranspose2d", 2, inChannels, outChannels, kernelSize, stride ?? [1], padding ?? [0], null, dilation ?? [1], groups, bias, "zeros", true, outputPadding ?? [0], dtype)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
}
