using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the pooling family and its backward primitives, named as PyTorch's aten ops:
/// max pools scatter the gradient to their argmax positions (<c>max_pool2d_backward</c>,
/// <c>adaptive_max_pool2d_backward</c>), average pools spread it over their windows
/// (<c>avg_pool2d_backward</c>, <c>adaptive_avg_pool2d_backward</c>), interpolate applies the transposed
/// resampling (<c>interpolate_backward</c>). The 1-d ops run as 2-d ops of height 1; pixel_shuffle and
/// pixel_unshuffle are each other's inverse.
/// </summary>
public static class PoolingGradients
{
    private static readonly AttrDef[] MaxPoolAttrs =
    [
        new("kernel_size", "ints"), new("stride", "ints", Array.Empty<long>()), new("padding", "ints", new long[] { 0 }),
        new("dilation", "ints", new long[] { 1 }), new("ceil_mode", "bool", false),
    ];

    private static readonly AttrDef[] AvgPoolAttrs =
    [
        new("kernel_size", "ints"), new("stride", "ints", Array.Empty<long>()), new("padding", "ints", new long[] { 0 }),
        new("ceil_mode", "bool", false), new("count_include_pad", "bool", true), new("divisor_override", "int"),
    ];

    /// <summary>
    /// <c>max_pool2d_backward(grad_output, input, indices)</c>: zeros like the input with each output gradient
    /// added at its plane position <c>indices</c> (h·W + w); aten's <c>max_pool2d_with_indices_backward</c>.
    /// </summary>
    public static OpDef MaxPool2dBackward { get; } = Backward("max_pool2d_backward", MaxPoolAttrs, withIndices: true,
        (input, attrs) => PoolingRules.MaxPool2d("max_pool2d_backward", input, PoolOptions.FromAttrs(attrs)).OutputShape,
        () => PoolingSamples.Backward(PoolingOps.MaxPool2dWithIndices, withIndices: true)) with { Gradient = GatherByIndices };

    /// <summary><c>adaptive_max_pool2d_backward(grad_output, input, indices)</c>: the same scatter for adaptive_max_pool2d (aten's name).</summary>
    public static OpDef AdaptiveMaxPool2dBackward { get; } = Backward("adaptive_max_pool2d_backward", [new("output_size", "ints")], withIndices: true,
        (input, attrs) => AdaptivePoolingRules.MaxPool2d("adaptive_max_pool2d_backward", input, AdaptivePoolingRules.OutputSize(attrs, 2)).OutputShape,
        () => PoolingSamples.Backward(PoolingOps.AdaptiveMaxPool2dWithIndices, withIndices: true)) with { Gradient = GatherByIndices };

    /// <summary><c>avg_pool2d_backward(grad_output, input)</c>: each output gradient divided by its window's divisor and added over the window (aten's name).</summary>
    public static OpDef AvgPool2dBackward { get; } = Backward("avg_pool2d_backward", AvgPoolAttrs, withIndices: false,
        (input, attrs) => PoolingRules.AvgPool2d("avg_pool2d_backward", input, PoolOptions.FromAttrs(attrs)).OutputShape,
        () => PoolingSamples.Backward(PoolingOps.AvgPool2d, withIndices: false)) with { Gradient = Forward("avg_pool2d") };

    /// <summary><c>adaptive_avg_pool2d_backward(grad_output, input)</c>: each output gradient spread evenly over its adaptive window (aten's <c>_adaptive_avg_pool2d_backward</c>).</summary>
    public static OpDef AdaptiveAvgPool2dBackward { get; } = Backward("adaptive_avg_pool2d_backward", [new("output_size", "ints")], withIndices: false,
        (input, attrs) => AdaptivePoolingRules.AvgPool2d("adaptive_avg_pool2d_backward", input, AdaptivePoolingRules.OutputSize(attrs, 2)).OutputShape,
        () => PoolingSamples.Backward(PoolingOps.AdaptiveAvgPool2d, withIndices: false)) with { Gradient = Forward("adaptive_avg_pool2d") };

    /// <summary>
    /// <c>interpolate_backward(grad_output, input)</c>: the transposed resampling of interpolate with the same
    /// attributes (aten's <c>upsample_nearest*d_backward</c> / <c>upsample_(bi)linear*d_backward</c>), floats only.
    /// </summary>
    public static OpDef InterpolateBackward { get; } = Backward("interpolate_backward", ResamplingRules.InterpolateAttributes, withIndices: false,
        (input, attrs) => ResamplingRules.Interpolate("interpolate_backward", DType.Float32, input, InterpolateOptions.FromAttrs(attrs, input.Length - 2)).OutputShape,
        () => PoolingSamples.Backward(PoolingOps.Interpolate, withIndices: false)) with { Gradient = Forward("interpolate") };

    /// <summary>The backward primitives of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [MaxPool2dBackward, AdaptiveMaxPool2dBackward, AvgPool2dBackward, AdaptiveAvgPool2dBackward, InterpolateBackward];

    /// <summary>
    /// The gradient of a scatter-by-indices backward op (it is linear in grad_output): each grad_output element's
    /// gradient is the incoming gradient at its index, a gather over the flattened planes.
    /// </summary>
    private static VjpRule GatherByIndices => c =>
    {
        var (grad, input, indices) = (c.Input(0), c.Input(1), c.Input(2));
        long[] planes = [.. input.Shape[..^2], input.Shape[^2] * input.Shape[^1]];
        long[] flatIndices = [.. grad.Shape[..^2], grad.Shape[^2] * grad.Shape[^1]];
        var gathered = c.Grad.Reshape(planes).Call("gather", new Attrs { { "dim", -1L } }, indices.Reshape(flatIndices));
        return [gathered.Reshape(grad.Shape), null, null];
    };

    /// <summary>The gradient of avg_pool2d_backward, adaptive_avg_pool2d_backward or interpolate_backward: the forward op (their adjoint) on the incoming gradient.</summary>
    private static VjpRule Forward(string forward) => c => [c.Grad.Call(forward, c.Attrs), null];

    /// <summary>max_pool2d_with_indices and adaptive_max_pool2d_with_indices: scatter by the saved indices.</summary>
    public static VjpRule ScatterByIndices(string backward) => c =>
        [c.Grad.Call(backward, c.Attrs, c.Input(0), c.Outputs[1])];

    /// <summary>max_pool2d and adaptive_max_pool2d without saved indices: recompute them, then scatter.</summary>
    public static VjpRule RecomputeIndices(string withIndices, string backward) => c =>
    {
        var input = c.Input(0);
        var indices = c.Emitter.Call(withIndices, [input], c.Attrs)[1];
        return [c.Grad.Call(backward, c.Attrs, input, indices)];
    };

    /// <summary>avg_pool2d, adaptive_avg_pool2d and interpolate: their backward op on (grad_output, input).</summary>
    public static VjpRule FromInput(string backward) => c => [c.Grad.Call(backward, c.Attrs, c.Input(0))];

    /// <summary>
    /// A 1-d pool's gradient: the 2-d backward on the operands with a height-1 dim inserted before the length,
    /// the window options widened to (1, k). <paramref name="withIndices"/> names the 1-d op that gives the
    /// indices when the pool did not save them.
    /// </summary>
    public static VjpRule As2d(string backward, string? withIndices, bool savedIndices) => c =>
    {
        var input = c.Input(0);
        VjpValue? indices = null;
        if (savedIndices) indices = c.Outputs[1];
        else if (withIndices is not null) indices = c.Emitter.Call(withIndices, [input], c.Attrs)[1];
        var attrs = Widen(c.Attrs);
        var others = indices is null ? new[] { Lift(input) } : [Lift(input), Lift(indices)];
        var grad = Lift(c.Grad).Call(backward, attrs, others);
        return [grad.Call("squeeze", new Attrs { { "dim", new[] { (long)grad.Rank - 2 } } })];
    };

    /// <summary>pixel_shuffle's and pixel_unshuffle's gradient: the other op (whose factor is <paramref name="inverseFactor"/>) with the same factor.</summary>
    public static VjpRule Inverse(string factor, string inverse, string inverseFactor) => c =>
        [c.Grad.Call(inverse, new Attrs { { inverseFactor, c.Attrs.GetLong(factor, 1) } })];

    private static VjpValue Lift(VjpValue value) => value.Call("unsqueeze", new Attrs { { "dim", (long)value.Rank - 1 } });

    /// <summary>1-d attributes as 2-d ones: kernel (1, k), stride (1, s), padding (0, p), dilation (1, d); adaptive output sizes (1, n).</summary>
    private static Attrs Widen(Attrs attrs)
    {
        var wide = new Attrs();
        foreach (var (name, value) in attrs)
        {
            switch (name)
            {
                case "kernel_size" or "dilation" or "output_size":
                    wide.Add(name, new[] { 1L, attrs.GetLongs(name)[0] });
                    break;
                case "stride":
                    long[] stride = attrs.GetLongs(name);
                    wide.Add(name, stride.Length == 0 ? [1L, attrs.GetLongs("kernel_size")[0]] : new[] { 1L, stride[0] });
                    break;
                case "padding":
                    wide.Add(name, new[] { 0L, attrs.GetLongs(name)[0] });
                    break;
                default:
                    wide.Add(name, value);
                    break;
            }
        }
        return wide;
    }

    private delegate long[] OutputRule(long[] input, Attrs attrs);

    private static OpDef Backward(string name, IReadOnlyList<AttrDef> attributes, bool withIndices, OutputRule output, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = "pooling",
        Inputs = withIndices ? ["grad_output", "input", "indices"] : ["grad_output", "input"],
        Attributes = attributes,
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity(name, withIndices ? 3 : 2, inputs.Count);
            var (grad, input) = (inputs[0], inputs[1]);
            TypeRules.CheckDType(name, grad.DType, DTypes.Floating);
            if (input.DType != grad.DType)
                throw new ArgumentException($"{name}: expected grad_output and input to have the same dtype, but got {grad.DType.Name()} and {input.DType.Name()}");
            if (withIndices && inputs[2].DType != DType.Int64)
                throw new ArgumentException($"{name}: expected int64 indices, but got {inputs[2].DType.Name()}");
            CheckGradShape(name, grad.Shape, input.Shape, output(input.Shape, attrs), withIndices ? inputs[2].Shape : null);
            return [new TensorType(grad.DType, input.Shape)];
        },
        Samples = samples,
    };

    /// <summary>Throws unless grad_output (and the indices) have the forward's output shape.</summary>
    /// <exception cref="ArgumentException">A shape differs.</exception>
    public static void CheckGradShape(string op, long[] grad, long[] input, long[] expected, long[]? indices)
    {
        if (!grad.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{op}: expected grad_output of shape {Shapes.Format(expected)} (the forward's output for input {Shapes.Format(input)}), but got {Shapes.Format(grad)}");
        if (indices is not null && !indices.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{op}: expected indices of shape {Shapes.Format(expected)} (the forward's output for input {Shapes.Format(input)}), but got {Shapes.Format(indices)}");
    }
}
