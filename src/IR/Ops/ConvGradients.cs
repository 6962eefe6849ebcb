using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the convolution family and its backward primitive <c>conv_weight_backward</c>.
/// A convolution's input gradient is the transposed convolution of the output gradient, its weight gradient
/// an im2col + GEMM over the batch (<c>conv_weight_backward</c>), its bias gradient a sum; unfold and fold are
/// each other's adjoint.
/// </summary>
public static class ConvGradients
{
    /// <summary>
    /// <c>conv_weight_backward(grad_output, input)</c>: the gradient of a conv1d/conv2d's weight of size
    /// <c>weight_size</c>, given the output gradient and the input. <c>padding</c> is the padding before each
    /// spatial dim (top, left): the output gradient's size says how far the window went past the end, so the
    /// asymmetric padding of <c>padding="same"</c> needs nothing more. PyTorch computes this in
    /// <c>aten.convolution_backward</c>.
    /// </summary>
    public static OpDef ConvWeightBackward { get; } = new()
    {
        Name = "conv_weight_backward",
        Family = "conv",
        Inputs = ["grad_output", "input"],
        Attributes =
        [
            new("weight_size", "ints"),
            new("stride", "ints", new long[] { 1 }),
            new("padding", "ints", new long[] { 0 }),
            new("dilation", "ints", new long[] { 1 }),
            new("groups", "int", 1L),
        ],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("conv_weight_backward", 2, inputs.Count);
            var dtype = ConvOps.CheckDTypes("conv_weight_backward", inputs[1].DType, inputs[0].DType, null);
            var plan = WeightGradientPlan(inputs[0].Shape, inputs[1].Shape, attrs);
            return [new TensorType(dtype, plan.OutputShape)];
        },
        Samples = ConvSamples.ConvWeightBackward,
        Gradient = WeightBackwardGradient,
    };

    /// <summary>Resolves conv_weight_backward's shapes and attributes (shared by the type rule and the kernel).</summary>
    /// <exception cref="ArgumentException">An attribute is missing or a shape does not fit.</exception>
    public static ConvPlan WeightGradientPlan(long[] gradOutput, long[] input, Attrs attrs)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        if (attrs["weight_size"] is null)
            throw new ArgumentException("conv_weight_backward: the weight_size attribute is required");
        return ConvShapes.WeightGradient("conv_weight_backward", gradOutput, input, attrs.GetLongs("weight_size"),
            ConvOps.Ints(attrs, "stride"), ConvOps.Ints(attrs, "padding"), ConvOps.Ints(attrs, "dilation"), attrs.GetLong("groups", 1));
    }

    /// <summary>The gradient of conv1d (<paramref name="spatialRank"/> 1) or conv2d (2).</summary>
    public static VjpRule Convolution(string op, int spatialRank) => c =>
    {
        var (input, weight, bias) = (c.Input(0), c.Input(1), c.Inputs.Count > 2 ? c.Inputs[2] : null);
        var (padding, mode) = ConvOps.Padding(c.Attrs);
        long groups = c.Attrs.GetLong("groups", 1);
        var plan = ConvShapes.Convolution(op, spatialRank, input.Shape, weight.Shape, bias?.Shape,
            ConvOps.Ints(c.Attrs, "stride"), padding, mode, ConvOps.Ints(c.Attrs, "dilation"), groups);
        var w = plan.Window;
        long[] stride = spatialRank == 1 ? [w.StrideWidth] : [w.StrideHeight, w.StrideWidth];
        long[] before = spatialRank == 1 ? [w.PadLeft] : [w.PadTop, w.PadLeft];
        long[] dilation = spatialRank == 1 ? [w.DilationWidth] : [w.DilationHeight, w.DilationWidth];
        var grad = c.Grad;
        return Gradients(c,
            c.NeedsInputGrad[0] ? InputGradient(grad, weight, input.Shape, stride, before, dilation, groups) : null,
            c.NeedsInputGrad[1] ? grad.Call("conv_weight_backward", new Attrs
            {
                { "weight_size", weight.Shape }, { "stride", stride }, { "padding", before }, { "dilation", dilation }, { "groups", groups },
            }, input) : null,
            bias is not null && c.NeedsInputGrad[2] ? BiasGradient(grad, plan.Batched) : null);
    };

    /// <summary>
    /// The gradient of conv_transpose2d: the input's is the convolution of the output gradient with the same
    /// weight (the op's adjoint), the weight's is conv_weight_backward with the roles of input and output swapped.
    /// </summary>
    public static VjpRule ConvTranspose2d { get; } = c =>
    {
        var (input, weight, bias) = (c.Input(0), c.Input(1), c.Inputs.Count > 2 ? c.Inputs[2] : null);
        var attrs = new Attrs
        {
            { "stride", ConvOps.Ints(c.Attrs, "stride") ?? [1] }, { "padding", ConvOps.Ints(c.Attrs, "padding") ?? [0] },
            { "dilation", ConvOps.Ints(c.Attrs, "dilation") ?? [1] }, { "groups", c.Attrs.GetLong("groups", 1) },
        };
        var grad = c.Grad;
        VjpValue? weightGrad = null;
        if (c.NeedsInputGrad[1])
        {
            var weightAttrs = new Attrs { { "weight_size", weight.Shape } };
            foreach (var (name, value) in attrs) weightAttrs.Add(name, value);
            weightGrad = input.Call("conv_weight_backward", weightAttrs, grad);
        }
        return Gradients(c,
            c.NeedsInputGrad[0] ? CropTo(grad.Call("conv2d", attrs, weight), input.Shape) : null,
            weightGrad,
            bias is not null && c.NeedsInputGrad[2] ? BiasGradient(grad, input.Rank == 4) : null);
    };

    /// <summary>unfold's gradient: fold of the column gradient back onto the input's positions.</summary>
    public static VjpRule Unfold { get; } = c =>
    {
        var input = c.Input(0);
        var attrs = new Attrs { { "output_size", input.Shape[^2..] } };
        foreach (var (name, value) in c.Attrs) attrs.Add(name, value);
        return [c.Grad.Call("fold", attrs)];
    };

    /// <summary>fold's gradient: unfold of the image gradient (fold sums the columns unfold copies out).</summary>
    public static VjpRule Fold { get; } = c =>
    {
        var attrs = new Attrs();
        foreach (var (name, value) in c.Attrs)
        {
            if (name != "output_size") attrs.Add(name, value);
        }
        return [c.Grad.Call("unfold", attrs)];
    };

    /// <summary>
    /// The gradient of conv_weight_backward (bilinear in its inputs): for grad_output, the convolution of the input
    /// with the incoming weight-shaped gradient; for the input, the transposed convolution of grad_output with it.
    /// </summary>
    /// <exception cref="NotSupportedException">grad_output's size needs padding after the input that neither
    /// symmetric padding nor padding="same" gives.</exception>
    private static VjpRule WeightBackwardGradient => c =>
    {
        var (grad, input) = (c.Input(0), c.Input(1));
        var plan = WeightGradientPlan(grad.Shape, input.Shape, c.Attrs);
        var w = plan.Window;
        int rank = grad.Rank - (plan.Batched ? 2 : 1);
        long[] stride = rank == 1 ? [w.StrideWidth] : [w.StrideHeight, w.StrideWidth];
        long[] before = rank == 1 ? [w.PadLeft] : [w.PadTop, w.PadLeft];
        long[] dilation = rank == 1 ? [w.DilationWidth] : [w.DilationHeight, w.DilationWidth];
        long groups = plan.Groups;
        var weight = c.Grad;
        VjpValue? gradGrad = null;
        if (c.NeedsInputGrad[0])
        {
            long[] spatial = input.Shape[^rank..], outSize = grad.Shape[^rank..], kernel = weight.Shape[2..];
            bool symmetric = Enumerable.Range(0, rank).All(i => (spatial[i] + 2 * before[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1 == outSize[i]);
            object padding = symmetric ? before
                : stride.All(v => v == 1) && outSize.SequenceEqual(spatial) ? "same"
                : throw new NotSupportedException($"conv_weight_backward: no convolution padding gives grad_output of size {Shapes.Format(outSize)} from input {Shapes.Format(spatial)}");
            gradGrad = input.Call(rank == 1 ? "conv1d" : "conv2d", new Attrs
            {
                { "stride", stride }, { "padding", padding }, { "dilation", dilation }, { "groups", groups },
            }, weight);
        }
        return [gradGrad, c.NeedsInputGrad[1] ? InputGradient(grad, weight, input.Shape, stride, before, dilation, groups) : null];
    };

    /// <summary>
    /// A convolution's input gradient: conv_transpose2d of the output gradient (conv1d's as a height-1 conv2d).
    /// output_padding restores the rows the forward's stride skipped; where padding="same" padded one more
    /// after than before, the transposed convolution gives one row too many and the last is cut off.
    /// </summary>
    private static VjpValue InputGradient(VjpValue grad, VjpValue weight, long[] inputShape, long[] stride, long[] before, long[] dilation, long groups)
    {
        int rank = stride.Length;
        long[] kernel = weight.Shape[2..], spatial = inputShape[^rank..], outSize = grad.Shape[^rank..];
        var outputPadding = new long[rank];
        var excess = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long natural = (outSize[i] - 1) * stride[i] - 2 * before[i] + dilation[i] * (kernel[i] - 1) + 1;
            outputPadding[i] = Math.Max(0, spatial[i] - natural);
            excess[i] = Math.Max(0, natural - spatial[i]);
        }
        if (rank == 1)
        {
            grad = grad.Call("unsqueeze", new Attrs { { "dim", (long)grad.Rank - 1 } });
            weight = weight.Call("unsqueeze", new Attrs { { "dim", 2L } });
            (stride, before, dilation, outputPadding, excess) = ([1, stride[0]], [0, before[0]], [1, dilation[0]], [0, outputPadding[0]], [0, excess[0]]);
            spatial = [1, spatial[0]];
        }
        var result = grad.Call("conv_transpose2d", new Attrs
        {
            { "stride", stride }, { "padding", before }, { "output_padding", outputPadding }, { "groups", groups }, { "dilation", dilation },
        }, weight);
        for (int i = 0; i < 2; i++)
        {
            if (excess[i] > 0)
                result = result.Call("slice", new Attrs { { "dim", (long)(result.Rank - 2 + i) }, { "start", 0L }, { "end", spatial[i] }, { "step", 1L } });
        }
        return rank == 1 ? result.Call("squeeze", new Attrs { { "dim", new[] { (long)result.Rank - 2 } } }) : result;
    }

    /// <summary>
    /// <paramref name="value"/> cut to <paramref name="shape"/> in the two spatial dims: an output_padding of at
    /// least the stride (allowed below the dilation) adds output rows the input never reached.
    /// </summary>
    private static VjpValue CropTo(VjpValue value, long[] shape)
    {
        for (int d = value.Rank - 2; d < value.Rank; d++)
        {
            if (value.Shape[d] > shape[d])
                value = value.Call("slice", new Attrs { { "dim", (long)d }, { "start", 0L }, { "end", shape[d] }, { "step", 1L } });
        }
        return value;
    }

    /// <summary>One gradient per input the call had: (input, weight) or (input, weight, bias).</summary>
    private static VjpValue?[] Gradients(VjpContext c, VjpValue? input, VjpValue? weight, VjpValue? bias) =>
        c.Inputs.Count > 2 ? [input, weight, bias] : [input, weight];

    /// <summary>The bias gradient: the output gradient summed over every dim but the channels.</summary>
    private static VjpValue BiasGradient(VjpValue grad, bool batched)
    {
        int channel = batched ? 1 : 0;
        long[] dims = [.. Enumerable.Range(0, grad.Rank).Where(d => d != channel).Select(d => (long)d)];
        return grad.Sum(dims);
    }
}
