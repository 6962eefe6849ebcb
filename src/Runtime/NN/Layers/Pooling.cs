namespace Kiln.NN;

/// <summary>1-D max pooling (<c>torch.nn.MaxPool1d</c>); the stride defaults to the kernel size.</summary>
public sealed class MaxPool1d(long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool1d(input, kernelSize, stride, padding, dilation, ceilMode);

    /// <summary>The pooled values and the flat indices of the maxima (<c>return_indices=True</c>).</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => Functional.MaxPool1dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"kernel_size={kernelSize}, stride={stride ?? kernelSize}, padding={padding}, dilation={dilation}, ceil_mode={LayerChecks.Py(ceilMode)}";
}

/// <summary>2-D max pooling (<c>torch.nn.MaxPool2d</c>); the stride defaults to the kernel size.</summary>
public sealed class MaxPool2d : Module<Tensor, Tensor>
{
    private readonly long[] kernelSize, stride, padding, dilation;
    private readonly bool ceilMode;

    /// <summary>Square windows.</summary>
    public MaxPool2d(long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false)
        : this([kernelSize], stride is { } s ? [s] : null, [padding], [dilation], ceilMode)
    {
    }

    /// <summary>Windows with per-dim sizes.</summary>
    public MaxPool2d(long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceilMode = false)
    {
        this.kernelSize = kernelSize;
        this.stride = stride ?? kernelSize;
        this.padding = padding ?? [0];
        this.dilation = dilation ?? [1];
        this.ceilMode = ceilMode;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);

    /// <summary>The pooled values and the flat indices of the maxima (<c>return_indices=True</c>).</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => Functional.MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={Scalarish(kernelSize)}, stride={Scalarish(stride)}, padding={Scalarish(padding)}, dilation={Scalarish(dilation)}, ceil_mode={LayerChecks.Py(ceilMode)}";

    internal static string Scalarish(long[] v) => v.Length == 1 ? v[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : LayerChecks.Py(v);
}

/// <summary>1-D average pooling (<c>torch.nn.AvgPool1d</c>).</summary>
public sealed class AvgPool1d(long kernelSize, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool1d(input, kernelSize, stride, padding, ceilMode, countIncludePad);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"kernel_size=({kernelSize},), stride=({stride ?? kernelSize},), padding=({padding},)";
}

/// <summary>2-D average pooling (<c>torch.nn.AvgPool2d</c>).</summary>
public sealed class AvgPool2d : Module<Tensor, Tensor>
{
    private readonly long[] kernelSize, stride, padding;
    private readonly bool ceilMode, countIncludePad;
    private readonly long? divisorOverride;

    /// <summary>Square windows.</summary>
    public AvgPool2d(long kernelSize, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true, long? divisorOverride = null)
        : this([kernelSize], stride is { } s ? [s] : null, [padding], ceilMode, countIncludePad, divisorOverride)
    {
    }

    /// <summary>Windows with per-dim sizes.</summary>
    public AvgPool2d(long[] kernelSize, long[]? stride = null, long[]? padding = null, bool ceilMode = false, bool countIncludePad = true, long? divisorOverride = null)
    {
        this.kernelSize = kernelSize;
        this.stride = stride ?? kernelSize;
        this.padding = padding ?? [0];
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={MaxPool2d.Scalarish(kernelSize)}, stride={MaxPool2d.Scalarish(stride)}, padding={MaxPool2d.Scalarish(padding)}";
}

/// <summary>2-D adaptive average pooling to a fixed output size (<c>torch.nn.AdaptiveAvgPool2d</c>).</summary>
public sealed class AdaptiveAvgPool2d(long[] outputSize) : Module<Tensor, Tensor>
{
    /// <summary>Pooling to a square output.</summary>
    public AdaptiveAvgPool2d(long outputSize) : this([outputSize, outputSize])
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, outputSize);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"output_size={LayerChecks.Py(outputSize)}";
}
