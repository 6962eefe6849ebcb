namespace Kiln.IR.Ops;

/// <summary>
/// Convolutions and the sliding-window reshapes behind them, with <c>torch.nn.functional</c>'s names,
/// arguments and errors: conv1d, conv2d, conv_transpose2d, unfold (im2col) and fold (col2im). The shape
/// rules live in <see cref="ConvShapes"/>, shared with the eager kernels.
/// </summary>
public static class ConvOps
{
    /// <summary>
    /// The dtypes convolutions accept: the floating-point ones (float16 and bfloat16 are computed in float32
    /// and rounded once).
    /// </summary>
    public static IReadOnlyList<DType> FloatDTypes { get; } = DTypes.Floating;

    /// <summary><c>torch.nn.functional.conv1d</c>: input [N, C_in, L] or [C_in, L], weight [C_out, C_in/groups, k], bias [C_out].</summary>
    public static OpDef Conv1d { get; } = ConvolutionDef("conv1d", 1);

    /// <summary><c>torch.nn.functional.conv2d</c>: input [N, C_in, H, W] or [C_in, H, W], weight [C_out, C_in/groups, kH, kW], bias [C_out].</summary>
    public static OpDef Conv2d { get; } = ConvolutionDef("conv2d", 2);

    /// <summary>
    /// <c>torch.nn.functional.conv_transpose2d</c>: input [N, C_in, H, W] or [C_in, H, W], weight
    /// [C_in, C_out/groups, kH, kW], bias [C_out]; the adjoint of conv2d with the same stride, padding and dilation.
    /// </summary>
    public static OpDef ConvTranspose2d { get; } = new()
    {
        Name = "conv_transpose2d",
        Family = "conv",
        Inputs = ["input", "weight", "bias"],
        RequiredInputs = 2,
        Attributes =
        [
            new("stride", "ints", new long[] { 1 }),
            new("padding", "ints", new long[] { 0 }),
            new("output_padding", "ints", new long[] { 0 }),
            new("groups", "int", 1L),
            new("dilation", "ints", new long[] { 1 }),
        ],
        DTypes = FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            var dtype = CheckDTypes("conv_transpose2d", inputs);
            var plan = ConvShapes.TransposedConvolution("conv_transpose2d", 2, inputs[0].Shape, inputs[1].Shape, inputs.Count > 2 ? inputs[2].Shape : null,
                Ints(attrs, "stride"), Ints(attrs, "padding"), Ints(attrs, "output_padding"), attrs.GetLong("groups", 1), Ints(attrs, "dilation"));
            return [new TensorType(dtype, plan.OutputShape)];
        },
        Samples = ConvSamples.ConvTranspose2d,
        Gradient = ConvGradients.ConvTranspose2d,
    };

    /// <summary>
    /// <c>torch.nn.functional.unfold</c> (im2col): every kernel_size window of a [N, C, H, W] (or [C, H, W]) input
    /// as a column of [N, C·kH·kW, L].
    /// </summary>
    public static OpDef Unfold { get; } = new()
    {
        Name = "unfold",
        Family = "conv",
        Inputs = ["input"],
        Attributes =
        [
            new("kernel_size", "ints"),
            new("dilation", "ints", new long[] { 1 }),
            new("padding", "ints", new long[] { 0 }),
            new("stride", "ints", new long[] { 1 }),
        ],
        DTypes = FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("unfold", 1, inputs.Count);
            TypeRules.CheckDType("unfold", inputs[0].DType, FloatDTypes);
            var plan = ConvShapes.Unfold(inputs[0].Shape, Ints(attrs, "kernel_size"), Ints(attrs, "dilation"), Ints(attrs, "padding"), Ints(attrs, "stride"));
            return [new TensorType(inputs[0].DType, plan.OutputShape)];
        },
        Samples = ConvSamples.Unfold,
        Gradient = ConvGradients.Unfold,
    };

    /// <summary>
    /// <c>torch.nn.functional.fold</c> (col2im): sums the columns of a [N, C·kH·kW, L] (or [C·kH·kW, L]) input into
    /// the windows they came from, giving [N, C, *output_size]; the adjoint of unfold.
    /// </summary>
    public static OpDef Fold { get; } = new()
    {
        Name = "fold",
        Family = "conv",
        Inputs = ["input"],
        Attributes =
        [
            new("output_size", "ints"),
            new("kernel_size", "ints"),
            new("dilation", "ints", new long[] { 1 }),
            new("padding", "ints", new long[] { 0 }),
            new("stride", "ints", new long[] { 1 }),
        ],
        DTypes = FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("fold", 1, inputs.Count);
            TypeRules.CheckDType("fold", inputs[0].DType, FloatDTypes);
            var plan = ConvShapes.Fold(inputs[0].Shape, Ints(attrs, "output_size"), Ints(attrs, "kernel_size"), Ints(attrs, "dilation"), Ints(attrs, "padding"), Ints(attrs, "stride"));
            return [new TensorType(inputs[0].DType, plan.OutputShape)];
        },
        Samples = ConvSamples.Fold,
        Gradient = ConvGradients.Fold,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Conv1d, Conv2d, ConvTranspose2d, Unfold, Fold, ConvGradients.ConvWeightBackward];

    /// <summary>
    /// The dtype of a convolution: the input's, which must be floating point and shared by the weight and
    /// the bias (torch does not promote here).
    /// </summary>
    /// <exception cref="ArgumentException">A dtype is not floating point or the dtypes differ.</exception>
    public static DType CheckDTypes(string op, DType input, DType weight, DType? bias)
    {
        TypeRules.CheckDType(op, input, FloatDTypes);
        if (weight != input)
            throw new ArgumentException($"{op}: expected input and weight to have the same dtype, but got input {input.Name()} and weight {weight.Name()}");
        if (bias is { } b && b != input)
            throw new ArgumentException($"{op}: expected input and bias to have the same dtype, but got input {input.Name()} and bias {b.Name()}");
        return input;
    }

    /// <summary>
    /// An int-list attribute, or null when it is absent (the shape rules then use the op's default). A single
    /// integer counts as a list of one.
    /// </summary>
    public static long[]? Ints(Attrs attrs, string name) => attrs[name] is null ? null : attrs.GetLongs(name);

    /// <summary>The padding attribute of conv1d/conv2d: a mode string ("same" or "valid") or per-dim ints.</summary>
    public static (long[]? Padding, string? Mode) Padding(Attrs attrs) =>
        attrs["padding"] is string mode ? (null, mode) : (Ints(attrs, "padding"), null);

    private static DType CheckDTypes(string op, IReadOnlyList<TensorType> inputs)
    {
        if (inputs.Count is not (2 or 3))
            throw new ArgumentException($"{op}: expected 2 or 3 inputs (input, weight, bias), got {inputs.Count}");
        return CheckDTypes(op, inputs[0].DType, inputs[1].DType, inputs.Count > 2 ? inputs[2].DType : null);
    }

    private static OpDef ConvolutionDef(string name, int spatialRank) => new()
    {
        Name = name,
        Family = "conv",
        Inputs = ["input", "weight", "bias"],
        RequiredInputs = 2,
        Attributes =
        [
            new("stride", "ints", new long[] { 1 }),
            // Per-dim ints, or the strings "same" / "valid".
            new("padding", "ints|str", new long[] { 0 }),
            new("dilation", "ints", new long[] { 1 }),
            new("groups", "int", 1L),
        ],
        DTypes = FloatDTypes,
        InferTypes = (inputs, attrs) =>
        {
            var dtype = CheckDTypes(name, inputs);
            var (padding, mode) = Padding(attrs);
            var plan = ConvShapes.Convolution(name, spatialRank, inputs[0].Shape, inputs[1].Shape, inputs.Count > 2 ? inputs[2].Shape : null,
                Ints(attrs, "stride"), padding, mode, Ints(attrs, "dilation"), attrs.GetLong("groups", 1));
            return [new TensorType(dtype, plan.OutputShape)];
        },
        Samples = () => ConvSamples.Convolution(name, spatialRank),
        Gradient = ConvGradients.Convolution(name, spatialRank),
    };
}
