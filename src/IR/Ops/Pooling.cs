namespace Kiln.IR.Ops;

/// <summary>
/// The pooling op family: max and average pooling with fixed and adaptive windows, interpolate (nearest
/// and linear resampling) and pixel_shuffle / pixel_unshuffle, with torch.nn.functional's names,
/// attributes and (PyTorch 1.13's) checks. The shape rules are in <see cref="PoolingRules"/>,
/// <see cref="AdaptivePoolingRules"/> and <see cref="ResamplingRules"/>, shared with the eager kernels.
/// </summary>
public static class PoolingOps
{
    private const DType F32 = DType.Float32, F64 = DType.Float64, F16 = DType.Float16, BF16 = DType.BFloat16;
    private const DType I64 = DType.Int64, I32 = DType.Int32, I16 = DType.Int16, I8 = DType.Int8, U8 = DType.UInt8;

    /// <summary>The dtypes max pooling takes: the floats and the integers (PyTorch 2 has integer max pooling on the CPU; 1.13 had not).</summary>
    public static IReadOnlyList<DType> MaxDTypes { get; } = [F32, F64, F16, BF16, I64, I32, I16, I8, U8];

    /// <summary>The dtypes avg_pool takes: the floats and int64 (whose averages are truncated, as in PyTorch).</summary>
    public static IReadOnlyList<DType> AvgDTypes { get; } = [F32, F64, F16, BF16, I64];

    /// <summary>The dtypes the adaptive pools take: the floats.</summary>
    public static IReadOnlyList<DType> FloatDTypes { get; } = [F32, F64, F16, BF16];

    /// <summary>The dtypes interpolate takes: the floats, and uint8 in the nearest modes.</summary>
    public static IReadOnlyList<DType> InterpolateDTypes { get; } = [F32, F64, F16, BF16, U8];

    private static readonly AttrDef KernelSize = new("kernel_size", "ints");
    private static readonly AttrDef Stride = new("stride", "ints", Array.Empty<long>());
    private static readonly AttrDef Padding = new("padding", "ints", new long[] { 0 });
    private static readonly AttrDef Dilation = new("dilation", "ints", new long[] { 1 });
    private static readonly AttrDef CeilMode = new("ceil_mode", "bool", false);
    private static readonly AttrDef CountIncludePad = new("count_include_pad", "bool", true);
    private static readonly AttrDef OutputSize = new("output_size", "ints");

    /// <summary><c>F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)</c> on [C, L] or [N, C, L].</summary>
    public static OpDef MaxPool1d { get; } = Pool("max_pool1d", MaxDTypes, [KernelSize, Stride, Padding, Dilation, CeilMode], withIndices: false,
        (op, shape, a) => PoolingRules.MaxPool1d(op, shape, PoolOptions.FromAttrs(a)).OutputShape, PoolingSamples.MaxPool1d) with { Gradient = PoolingGradients.As2d("max_pool2d_backward", "max_pool1d_with_indices", savedIndices: false) };

    /// <summary><c>F.max_pool1d(..., return_indices=True)</c>: the maxima and their int64 positions along L.</summary>
    public static OpDef MaxPool1dWithIndices { get; } = Pool("max_pool1d_with_indices", MaxDTypes, [KernelSize, Stride, Padding, Dilation, CeilMode], withIndices: true,
        (op, shape, a) => PoolingRules.MaxPool1dWithIndices(op, shape, PoolOptions.FromAttrs(a)).OutputShape, PoolingSamples.MaxPool1d) with { Gradient = PoolingGradients.As2d("max_pool2d_backward", null, savedIndices: true) };

    /// <summary><c>F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)</c> on [C, H, W] or [N, C, H, W].</summary>
    public static OpDef MaxPool2d { get; } = Pool("max_pool2d", MaxDTypes, [KernelSize, Stride, Padding, Dilation, CeilMode], withIndices: false,
        (op, shape, a) => PoolingRules.MaxPool2d(op, shape, PoolOptions.FromAttrs(a)).OutputShape, PoolingSamples.MaxPool2d) with { Gradient = PoolingGradients.RecomputeIndices("max_pool2d_with_indices", "max_pool2d_backward") };

    /// <summary><c>F.max_pool2d(..., return_indices=True)</c>: the maxima and their int64 positions in each H×W plane (h·W + w).</summary>
    public static OpDef MaxPool2dWithIndices { get; } = Pool("max_pool2d_with_indices", MaxDTypes, [KernelSize, Stride, Padding, Dilation, CeilMode], withIndices: true,
        (op, shape, a) => PoolingRules.MaxPool2d(op, shape, PoolOptions.FromAttrs(a)).OutputShape, PoolingSamples.MaxPool2d) with { Gradient = PoolingGradients.ScatterByIndices("max_pool2d_backward") };

    /// <summary><c>F.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)</c>.</summary>
    public static OpDef AvgPool1d { get; } = Pool("avg_pool1d", AvgDTypes, [KernelSize, Stride, Padding, CeilMode, CountIncludePad], withIndices: false,
        (op, shape, a) => PoolingRules.AvgPool1d(op, shape, PoolOptions.FromAttrs(a)).OutputShape, PoolingSamples.AvgPool1d) with { Gradient = PoolingGradients.As2d("avg_pool2d_backward", null, savedIndices: false) };

    /// <summary><c>F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)</c>.</summary>
    public static OpDef AvgPool2d { get; } = Pool("avg_pool2d", AvgDTypes, [KernelSize, Stride, Padding, CeilMode, CountIncludePad, new("divisor_override", "int")], withIndices: false,
        (op, shape, a) => PoolingRules.AvgPool2d(op, shape, PoolOptions.FromAttrs(a)).OutputShape, PoolingSamples.AvgPool2d) with { Gradient = PoolingGradients.FromInput("avg_pool2d_backward") };

    /// <summary><c>F.adaptive_avg_pool1d(input, output_size)</c>.</summary>
    public static OpDef AdaptiveAvgPool1d { get; } = Pool("adaptive_avg_pool1d", FloatDTypes, [OutputSize], withIndices: false,
        (op, shape, a) => AdaptivePoolingRules.AvgPool1d(op, shape, AdaptivePoolingRules.OutputSize(a, 1)).OutputShape, PoolingSamples.AdaptiveAvgPool1d) with { Gradient = PoolingGradients.As2d("adaptive_avg_pool2d_backward", null, savedIndices: false) };

    /// <summary><c>F.adaptive_avg_pool2d(input, output_size)</c>: output_size is one int for both dims or a pair.</summary>
    public static OpDef AdaptiveAvgPool2d { get; } = Pool("adaptive_avg_pool2d", FloatDTypes, [OutputSize], withIndices: false,
        (op, shape, a) => AdaptivePoolingRules.AvgPool2d(op, shape, AdaptivePoolingRules.OutputSize(a, 2)).OutputShape, PoolingSamples.AdaptiveAvgPool2d) with { Gradient = PoolingGradients.FromInput("adaptive_avg_pool2d_backward") };

    /// <summary><c>F.adaptive_max_pool1d(input, output_size)</c>.</summary>
    public static OpDef AdaptiveMaxPool1d { get; } = Pool("adaptive_max_pool1d", FloatDTypes, [OutputSize], withIndices: false,
        (op, shape, a) => AdaptivePoolingRules.MaxPool1d(op, shape, AdaptivePoolingRules.OutputSize(a, 1)).OutputShape, PoolingSamples.AdaptiveMaxPool1d) with { Gradient = PoolingGradients.As2d("adaptive_max_pool2d_backward", "adaptive_max_pool1d_with_indices", savedIndices: false) };

    /// <summary><c>F.adaptive_max_pool1d(..., return_indices=True)</c>.</summary>
    public static OpDef AdaptiveMaxPool1dWithIndices { get; } = Pool("adaptive_max_pool1d_with_indices", FloatDTypes, [OutputSize], withIndices: true,
        (op, shape, a) => AdaptivePoolingRules.MaxPool1d(op, shape, AdaptivePoolingRules.OutputSize(a, 1)).OutputShape, PoolingSamples.AdaptiveMaxPool1d) with { Gradient = PoolingGradients.As2d("adaptive_max_pool2d_backward", null, savedIndices: true) };

    /// <summary><c>F.adaptive_max_pool2d(input, output_size)</c>.</summary>
    public static OpDef AdaptiveMaxPool2d { get; } = Pool("adaptive_max_pool2d", FloatDTypes, [OutputSize], withIndices: false,
        (op, shape, a) => AdaptivePoolingRules.MaxPool2d(op, shape, AdaptivePoolingRules.OutputSize(a, 2)).OutputShape, PoolingSamples.AdaptiveMaxPool2d) with { Gradient = PoolingGradients.RecomputeIndices("adaptive_max_pool2d_with_indices", "adaptive_max_pool2d_backward") };

    /// <summary><c>F.adaptive_max_pool2d(..., return_indices=True)</c>: the maxima and their int64 positions h·W + w.</summary>
    public static OpDef AdaptiveMaxPool2dWithIndices { get; } = Pool("adaptive_max_pool2d_with_indices", FloatDTypes, [OutputSize], withIndices: true,
        (op, shape, a) => AdaptivePoolingRules.MaxPool2d(op, shape, AdaptivePoolingRules.OutputSize(a, 2)).OutputShape, PoolingSamples.AdaptiveMaxPool2d) with { Gradient = PoolingGradients.ScatterByIndices("adaptive_max_pool2d_backward") };

    /// <summary>
    /// <c>F.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor)</c> in the modes
    /// nearest and nearest-exact ([N, C, L], [N, C, H, W], [N, C, D, H, W]), linear ([N, C, L]) and bilinear
    /// ([N, C, H, W]). <c>size</c> is one int for every spatial dim or one per dim; <c>scale_factor</c> is one float.
    /// </summary>
    public static OpDef Interpolate { get; } = new()
    {
        Name = "interpolate",
        Family = "pooling",
        Inputs = ["input"],
        Attributes = ResamplingRules.InterpolateAttributes,
        DTypes = InterpolateDTypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("interpolate", 1, inputs.Count);
            var input = inputs[0];
            TypeRules.CheckDType("interpolate", input.DType, InterpolateDTypes);
            var plan = ResamplingRules.Interpolate("interpolate", input.DType, input.Shape, InterpolateOptions.FromAttrs(attrs, input.Rank - 2));
            return [new TensorType(input.DType, plan.OutputShape)];
        },
        Samples = PoolingSamples.Interpolate,
        Gradient = PoolingGradients.FromInput("interpolate_backward"),
    };

    /// <summary><c>F.pixel_shuffle(input, upscale_factor)</c>: [*, C·r², H, W] → [*, C, H·r, W·r]; every dtype.</summary>
    public static OpDef PixelShuffle { get; } = Shuffle("pixel_shuffle", "upscale_factor", ResamplingRules.PixelShuffleShape)
        with { Gradient = PoolingGradients.Inverse("upscale_factor", "pixel_unshuffle", "downscale_factor") };

    /// <summary><c>F.pixel_unshuffle(input, downscale_factor)</c>: [*, C, H·r, W·r] → [*, C·r², H, W]; every dtype.</summary>
    public static OpDef PixelUnshuffle { get; } = Shuffle("pixel_unshuffle", "downscale_factor", ResamplingRules.PixelUnshuffleShape)
        with { Gradient = PoolingGradients.Inverse("downscale_factor", "pixel_shuffle", "upscale_factor") };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
    [
        MaxPool1d, MaxPool1dWithIndices, MaxPool2d, MaxPool2dWithIndices, AvgPool1d, AvgPool2d,
        AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool1dWithIndices, AdaptiveMaxPool2d, AdaptiveMaxPool2dWithIndices,
        Interpolate, PixelShuffle, PixelUnshuffle, .. PoolingGradients.All,
    ];

    private delegate long[] ShapeRule(string op, long[] shape, Attrs attrs);

    private static OpDef Pool(string name, IReadOnlyList<DType> dtypes, IReadOnlyList<AttrDef> schema, bool withIndices, ShapeRule rule, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = "pooling",
        Inputs = ["input"],
        Outputs = withIndices ? ["out", "indices"] : ["out"],
        Attributes = schema,
        DTypes = dtypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity(name, 1, inputs.Count);
            TypeRules.CheckDType(name, inputs[0].DType, dtypes);
            var shape = rule(name, inputs[0].Shape, attrs);
            return withIndices ? [new TensorType(inputs[0].DType, shape), new TensorType(DType.Int64, shape)] : [new TensorType(inputs[0].DType, shape)];
        },
        Samples = samples,
    };

    private delegate long[] FactorRule(string op, ReadOnlySpan<long> shape, long factor);

    private static OpDef Shuffle(string name, string factor, FactorRule rule) => new()
    {
        Name = name,
        Family = "pooling",
        Inputs = ["input"],
        Attributes = [new(factor, "int")],
        DTypes = DTypes.All,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity(name, 1, inputs.Count);
            return [new TensorType(inputs[0].DType, rule(name, inputs[0].Shape, ResamplingRules.Factor(name, attrs, factor)))];
        },
        Samples = () => PoolingSamples.Shuffle(name, factor),
    };
}
