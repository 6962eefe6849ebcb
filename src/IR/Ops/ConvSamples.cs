namespace Kiln.IR.Ops;

/// <summary>
/// The OpInfo samples of the convolution family: stride, padding (ints, "same", "valid", wider than the
/// kernel), dilation and groups combinations, 1×1 kernels, unbatched inputs, empty batches, non-contiguous
/// inputs and weights, no bias, every float dtype, and the calls torch rejects.
/// </summary>
internal static class ConvSamples
{
    private const DType F = DType.Float32;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    /// <summary>Float32 sums of up to a few hundred products of values in [-3, 3]: their rounding depends on the summation order.</summary>
    private static readonly Tolerance Float32Sums = new(1e-5, 1e-4);

    /// <summary>Float16 and bfloat16 results are float32 sums rounded once; a different summation order may round the other way.</summary>
    private static readonly Tolerance LowPrecision = new(1e-2, 1e-2);

    private static Tolerance? For(DType dtype) => dtype switch
    {
        DType.Float32 => Float32Sums,
        DType.Float16 or DType.BFloat16 => LowPrecision,
        _ => null,
    };

    /// <summary>Samples of conv1d (<paramref name="spatialRank"/> 1) or conv2d (2).</summary>
    internal static IEnumerable<OpSample> Convolution(string op, int spatialRank) =>
        spatialRank == 1 ? Conv1dSamples() : Conv2dSamples();

    private static OpSample Conv(DType d, long[] input, long[] weight, long[]? bias, Attrs? attrs = null, SampleLayout inputLayout = C, SampleLayout weightLayout = C)
    {
        var inputs = new List<TensorSpec> { new(d, input, inputLayout), new(d, weight, weightLayout) };
        if (bias is not null) inputs.Add(new TensorSpec(d, bias));
        return new OpSample(inputs, attrs ?? Attrs.Empty, For(d));
    }

    private static Attrs With(params (string Name, object Value)[] values)
    {
        var attrs = new Attrs();
        foreach (var (name, value) in values) attrs.Add(name, value);
        return attrs;
    }

    private static long[] L(params long[] values) => values;

    private static IEnumerable<OpSample> Conv2dSamples()
    {
        // Small enough for the gradient check: groups with stride and padding, dilation with unequal strides.
        yield return Conv(DType.Float64, [1, 4, 4, 4], [2, 2, 2, 2], [2], With(("groups", 2), ("stride", L(2)), ("padding", L(1))));
        yield return Conv(DType.Float64, [1, 2, 5, 4], [2, 2, 2, 2], null, With(("dilation", L(2)), ("stride", L(1, 2)), ("padding", L(1, 0))));
        yield return Conv(F, [2, 3, 5, 5], [4, 3, 3, 3], [4]);
        yield return Conv(F, [2, 3, 7, 6], [4, 3, 3, 2], [4], With(("stride", L(2))));
        yield return Conv(F, [1, 2, 6, 7], [3, 2, 3, 3], [3], With(("stride", L(2, 1)), ("padding", L(1, 2))));
        yield return Conv(F, [1, 2, 8, 8], [3, 2, 3, 3], [3], With(("stride", L(3)), ("padding", L(1))));
        yield return Conv(F, [2, 4, 7, 7], [6, 2, 3, 3], [6], With(("groups", 2)));
        yield return Conv(F, [1, 4, 8, 8], [4, 1, 3, 3], [4], With(("groups", 4), ("padding", L(1))));
        yield return Conv(F, [1, 6, 6, 6], [3, 2, 2, 3], [3], With(("groups", 3), ("stride", L(2)), ("dilation", L(1, 2)), ("padding", L(1, 0))));
        yield return Conv(F, [1, 2, 9, 9], [3, 2, 3, 3], [3], With(("dilation", L(2)), ("padding", L(2))));
        yield return Conv(F, [1, 2, 6, 6], [2, 2, 3, 3], null, With(("dilation", L(2, 1)), ("stride", L(1, 2))));
        yield return Conv(F, [2, 3, 5, 5], [4, 3, 3, 3], [4], With(("padding", "same")));
        yield return Conv(F, [1, 2, 6, 5], [3, 2, 4, 2], [3], With(("padding", "same")));
        yield return Conv(F, [1, 2, 7, 7], [3, 2, 3, 3], [3], With(("padding", "same"), ("dilation", L(2))));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("padding", "valid")));
        // Padding wider than the kernel (torch allows any non-negative padding).
        yield return Conv(F, [1, 2, 4, 4], [3, 2, 3, 3], [3], With(("padding", L(4))));
        yield return Conv(F, [1, 2, 3, 3], [3, 2, 5, 5], [3], With(("padding", L(1))));
        yield return Conv(F, [2, 3, 4, 4], [5, 3, 4, 4], [5]);
        yield return Conv(F, [0, 3, 5, 5], [4, 3, 3, 3], [4]);
        yield return Conv(F, [3, 5, 5], [4, 3, 3, 3], [4]);
        yield return Conv(F, [3, 5, 5], [4, 3, 3, 3], null, With(("padding", "same")));
        yield return Conv(F, [2, 3, 6, 5], [4, 3, 3, 3], [4], null, T);
        yield return Conv(F, [1, 3, 5, 8], [4, 3, 3, 3], [4], With(("stride", L(2))), S);
        yield return Conv(F, [3, 2, 5, 5], [4, 2, 3, 3], [4], null, E);
        yield return Conv(F, [1, 3, 5, 5], [4, 3, 3, 3], [4], null, C, T);
        yield return Conv(F, [2, 8, 5, 5], [4, 8, 1, 1], [4]);
        yield return Conv(F, [2, 8, 5, 5], [4, 8, 1, 1], null, With(("stride", L(2))));
        yield return Conv(F, [1, 6, 4, 4], [6, 3, 1, 1], [6], With(("groups", 2)));
        yield return Conv(F, [1, 4, 3, 3], [5, 4, 1, 1], [5], With(("padding", L(1))));
        yield return Conv(F, [2, 16, 12, 12], [8, 16, 3, 3], [8], With(("padding", L(1))));
        yield return Conv(F, [1, 3, 20, 37], [7, 3, 5, 5], [7], With(("padding", L(2))));
        yield return Conv(DType.Float64, [2, 3, 5, 5], [4, 3, 3, 3], [4]);
        yield return Conv(DType.Float64, [1, 4, 7, 6], [6, 2, 3, 3], [6], With(("groups", 2), ("stride", L(2)), ("padding", L(1))));
        yield return Conv(DType.Float64, [1, 2, 6, 5], [3, 2, 4, 2], null, With(("padding", "same")));
        foreach (var d in new[] { DType.Float16, DType.BFloat16 })
        {
            yield return Conv(d, [2, 3, 5, 5], [4, 3, 3, 3], [4], With(("padding", L(1))));
            yield return Conv(d, [1, 4, 6, 6], [4, 2, 3, 3], null, With(("groups", 2), ("stride", L(2))));
        }
        // Calls torch rejects.
        yield return Conv(F, [1, 2, 3, 3], [3, 2, 5, 5], [3]);
        yield return Conv(F, [1, 2, 4, 4], [3, 2, 3, 3], null, With(("dilation", L(2))));
        yield return Conv(F, [1, 4, 5, 5], [3, 3, 3, 3], [3]);
        yield return Conv(F, [1, 6, 5, 5], [4, 2, 3, 3], null, With(("groups", 3)));
        yield return Conv(F, [1, 4, 5, 5], [3, 2, 3, 3], null, With(("groups", 0)));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("stride", L(0))));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("stride", L(1, 1, 1))));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("padding", L(-1))));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("dilation", L(0))));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("padding", "same"), ("stride", L(2))));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], null, With(("padding", "full")));
        yield return Conv(F, [1, 2, 5, 5], [3, 2, 3, 3], [4]);
        yield return Conv(F, [2, 5], [3, 2, 3, 3], null);
        yield return Conv(F, [1, 2, 0, 5], [3, 2, 3, 3], null, With(("padding", L(2))));
        yield return Conv(F, [1, 2, 5, 5], [0, 2, 3, 3], null);
        yield return new OpSample([new(F, [1, 2, 5, 5]), new(DType.Float64, [3, 2, 3, 3])], Attrs.Empty);
    }

    private static IEnumerable<OpSample> Conv1dSamples()
    {
        yield return Conv(F, [2, 3, 10], [4, 3, 3], [4]);
        yield return Conv(F, [2, 3, 10], [4, 3, 3], [4], With(("stride", L(2)), ("padding", L(1))));
        yield return Conv(F, [1, 2, 11], [3, 2, 3], null, With(("dilation", L(3)), ("padding", L(2))));
        yield return Conv(F, [1, 6, 9], [6, 2, 3], [6], With(("groups", 3)));
        yield return Conv(F, [1, 4, 9], [4, 1, 5], [4], With(("groups", 4), ("padding", "same")));
        yield return Conv(F, [1, 2, 7], [3, 2, 4], [3], With(("padding", "same")));
        yield return Conv(F, [1, 2, 8], [3, 2, 3], [3], With(("padding", "same"), ("dilation", L(2))));
        yield return Conv(F, [1, 2, 8], [3, 2, 3], [3], With(("padding", "valid")));
        yield return Conv(F, [1, 2, 3], [2, 2, 2], [2], With(("padding", L(3))));
        yield return Conv(F, [3, 7], [4, 3, 3], [4]);
        yield return Conv(F, [0, 3, 7], [4, 3, 3], [4]);
        yield return Conv(F, [2, 3, 8], [4, 3, 3], [4], null, T);
        yield return Conv(F, [2, 3, 8], [4, 3, 3], null, With(("stride", L(3))), S);
        yield return Conv(F, [2, 8, 6], [5, 8, 1], [5]);
        yield return Conv(F, [2, 16, 40], [8, 16, 5], [8], With(("padding", L(2))));
        yield return Conv(DType.Float64, [2, 3, 10], [4, 3, 3], [4], With(("stride", L(2))));
        yield return Conv(DType.Float16, [2, 3, 10], [4, 3, 3], [4]);
        yield return Conv(DType.BFloat16, [2, 3, 10], [4, 3, 3], [4], With(("padding", "same")));
        yield return Conv(F, [2, 3, 7, 2], [4, 3, 3], null);
        yield return Conv(F, [1, 2, 3], [3, 2, 5], null);
        yield return Conv(F, [1, 4, 7], [3, 3, 3], null);
        yield return Conv(F, [1, 2, 7], [3, 2, 3], null, With(("stride", L(1, 1))));
        yield return Conv(F, [1, 2, 7], [3, 2, 3], null, With(("padding", "same"), ("stride", L(2))));
    }

    /// <summary>Samples of conv_transpose2d.</summary>
    internal static IEnumerable<OpSample> ConvTranspose2d()
    {
        yield return Conv(F, [2, 4, 5, 5], [4, 3, 3, 3], [3]);
        yield return Conv(F, [1, 4, 4, 4], [4, 2, 3, 3], [2], With(("stride", L(2))));
        yield return Conv(F, [1, 3, 4, 5], [3, 2, 3, 3], [2], With(("stride", L(2)), ("padding", L(1)), ("output_padding", L(1))));
        yield return Conv(F, [2, 4, 3, 3], [4, 3, 3, 3], [6], With(("groups", 2)));
        yield return Conv(F, [1, 6, 3, 4], [6, 1, 2, 2], null, With(("groups", 3), ("stride", L(2, 1))));
        yield return Conv(F, [1, 2, 4, 4], [2, 3, 3, 3], [3], With(("dilation", L(2)), ("padding", L(1))));
        yield return Conv(F, [1, 2, 4, 4], [2, 3, 3, 3], null, With(("dilation", L(2)), ("output_padding", L(1))));
        yield return Conv(F, [1, 3, 4, 3], [3, 2, 3, 2], [2], With(("stride", L(2, 3)), ("padding", L(1, 0)), ("output_padding", L(0, 2))));
        yield return Conv(F, [1, 2, 5, 5], [2, 3, 3, 3], [3], With(("padding", L(3))));
        yield return Conv(F, [4, 5, 5], [4, 3, 3, 3], [3]);
        yield return Conv(F, [0, 4, 5, 5], [4, 3, 3, 3], [3]);
        yield return Conv(F, [2, 4, 6, 5], [4, 3, 3, 3], [3], null, T);
        yield return Conv(F, [1, 4, 5, 5], [4, 3, 3, 3], [3], With(("stride", L(2))), C, T);
        yield return Conv(F, [2, 4, 5, 5], [4, 3, 1, 1], [3]);
        yield return Conv(F, [2, 16, 7, 7], [16, 8, 4, 4], [8], With(("stride", L(2)), ("padding", L(1))));
        yield return Conv(DType.Float64, [2, 4, 5, 5], [4, 3, 3, 3], [3], With(("stride", L(2)), ("output_padding", L(1))));
        yield return Conv(DType.Float16, [2, 4, 5, 5], [4, 3, 3, 3], [3]);
        yield return Conv(DType.BFloat16, [1, 4, 3, 3], [4, 3, 3, 3], [6], With(("groups", 2), ("stride", L(2))));
        yield return Conv(F, [2, 5, 5, 5], [4, 3, 3, 3], null);
        yield return Conv(F, [2, 4, 5, 5], [4, 3, 3, 3], null, With(("output_padding", L(1))));
        yield return Conv(F, [2, 4, 1, 1], [4, 3, 3, 3], null, With(("padding", L(2))));
        yield return Conv(F, [2, 4, 5, 5], [4, 3, 3, 3], null, With(("groups", 3)));
        yield return Conv(F, [2, 4, 5, 5], [4, 3, 3, 3], [4]);
        yield return Conv(F, [2, 4, 5, 5], [4, 3, 3, 3], null, With(("stride", L(0))));
        yield return Conv(F, [4, 5], [4, 3, 3, 3], null);
    }

    private static OpSample Window(DType d, long[] input, Attrs attrs, SampleLayout layout = C) =>
        new([new TensorSpec(d, input, layout)], attrs, For(d));

    /// <summary>Samples of unfold.</summary>
    internal static IEnumerable<OpSample> Unfold()
    {
        yield return Window(F, [2, 3, 5, 5], With(("kernel_size", L(2))));
        yield return Window(F, [2, 3, 5, 6], With(("kernel_size", L(2, 3)), ("padding", L(1)), ("stride", L(2))));
        yield return Window(F, [1, 2, 7, 7], With(("kernel_size", L(3)), ("dilation", L(2)), ("padding", L(2)), ("stride", L(2, 1))));
        yield return Window(F, [3, 4, 5], With(("kernel_size", L(2))));
        yield return Window(F, [0, 3, 5, 5], With(("kernel_size", L(2))));
        yield return Window(F, [1, 2, 3, 3], With(("kernel_size", L(2)), ("padding", L(3))));
        yield return Window(F, [2, 3, 5, 6], With(("kernel_size", L(3))), T);
        yield return Window(F, [1, 2, 4, 6], With(("kernel_size", L(1)), ("stride", L(2))), S);
        yield return Window(DType.Float64, [2, 3, 5, 5], With(("kernel_size", L(2, 3)), ("stride", L(1, 2))));
        yield return Window(DType.Float16, [2, 3, 5, 5], With(("kernel_size", L(3)), ("padding", L(1))));
        yield return Window(DType.BFloat16, [1, 2, 4, 4], With(("kernel_size", L(2)), ("stride", L(2))));
        yield return Window(F, [2, 3, 5, 5], With(("kernel_size", L(6))));
        yield return Window(F, [5, 5], With(("kernel_size", L(2))));
        yield return Window(F, [2, 0, 5, 5], With(("kernel_size", L(2))));
        yield return Window(F, [2, 3, 5, 5], With(("kernel_size", L(0))));
        yield return Window(F, [2, 3, 5, 5], With(("kernel_size", L(2)), ("stride", L(0))));
        yield return Window(F, [2, 3, 5, 5], With(("kernel_size", L(2, 2, 2))));
    }

    /// <summary>A fold sample whose input has exactly the columns the window takes (unfold's output shape).</summary>
    private static OpSample FoldOf(DType d, long? batch, long channels, long[] outputSize, Attrs attrs, SampleLayout layout = C)
    {
        long[] image = batch is { } n ? [n, channels, .. outputSize] : [channels, .. outputSize];
        var plan = ConvShapes.Unfold(image, ConvOps.Ints(attrs, "kernel_size"), ConvOps.Ints(attrs, "dilation"), ConvOps.Ints(attrs, "padding"), ConvOps.Ints(attrs, "stride"));
        var withSize = new Attrs { { "output_size", outputSize } };
        foreach (var (name, value) in attrs) withSize.Add(name, value);
        return Window(d, plan.OutputShape, withSize, layout);
    }

    /// <summary>Samples of fold.</summary>
    internal static IEnumerable<OpSample> Fold()
    {
        yield return FoldOf(F, 2, 3, [5, 5], With(("kernel_size", L(2))));
        yield return FoldOf(F, 1, 3, [5, 6], With(("kernel_size", L(2, 3)), ("padding", L(1)), ("stride", L(2))));
        yield return FoldOf(F, 2, 2, [7, 7], With(("kernel_size", L(3)), ("dilation", L(2)), ("padding", L(2)), ("stride", L(2, 1))));
        yield return FoldOf(F, 1, 2, [6, 6], With(("kernel_size", L(3)), ("stride", L(3))));
        yield return FoldOf(F, null, 3, [4, 5], With(("kernel_size", L(2))));
        yield return FoldOf(F, 0, 3, [5, 5], With(("kernel_size", L(2))));
        yield return FoldOf(F, 1, 2, [3, 3], With(("kernel_size", L(2)), ("padding", L(3))));
        yield return FoldOf(F, 2, 3, [5, 5], With(("kernel_size", L(2))), T);
        yield return FoldOf(F, 1, 2, [4, 4], With(("kernel_size", L(2)), ("stride", L(1, 2))), S);
        yield return FoldOf(DType.Float64, 2, 3, [5, 5], With(("kernel_size", L(2, 3)), ("dilation", L(1, 2))));
        yield return FoldOf(DType.Float16, 2, 3, [5, 5], With(("kernel_size", L(3)), ("padding", L(1))));
        yield return FoldOf(DType.BFloat16, 1, 2, [4, 4], With(("kernel_size", L(2))));
        yield return Window(F, [2, 12, 15], With(("output_size", L(5, 5)), ("kernel_size", L(2))));
        yield return Window(F, [2, 13, 16], With(("output_size", L(5, 5)), ("kernel_size", L(2))));
        yield return Window(F, [1, 2, 12, 16], With(("output_size", L(5, 5)), ("kernel_size", L(2))));
        yield return Window(F, [1, 36, 1], With(("output_size", L(5, 5)), ("kernel_size", L(6)), ("stride", L(2))));
        yield return Window(F, [2, 12, 16], With(("output_size", L(5, 5)), ("kernel_size", L(2)), ("stride", L(0))));
    }

    /// <summary>
    /// Samples of conv_weight_backward: (grad_output, input) pairs whose sizes fit a convolution with the
    /// attributes, 1-d and 2-d, grouped, strided, dilated and unbatched, and mismatched channels.
    /// </summary>
    internal static IEnumerable<OpSample> ConvWeightBackward()
    {
        static OpSample Pair(DType d, long[] grad, long[] input, long[] weight, params (string Name, object Value)[] attrs)
        {
            var all = With(attrs);
            all.Add("weight_size", weight);
            return new OpSample([new(d, grad), new(d, input)], all, For(d));
        }
        yield return Pair(F, [2, 4, 3, 3], [2, 3, 5, 5], [4, 3, 3, 3]);
        yield return Pair(F, [1, 6, 4, 4], [1, 4, 7, 8], [6, 2, 3, 3], ("groups", 2L), ("stride", L(2)), ("padding", L(1)));
        yield return Pair(F, [1, 3, 9, 9], [1, 2, 9, 9], [3, 2, 3, 3], ("dilation", L(2)), ("padding", L(2)));
        yield return Pair(F, [2, 4, 5], [2, 3, 10], [4, 3, 3], ("stride", L(2)), ("padding", L(1)));
        yield return Pair(F, [4, 3, 3], [3, 5, 5], [4, 3, 3, 3]);
        yield return Pair(F, [4, 6, 8, 8], [4, 1, 12, 12], [6, 1, 5, 5]);
        yield return Pair(DType.Float64, [2, 4, 2, 2], [2, 2, 5, 5], [4, 1, 2, 2], ("groups", 2L), ("stride", L(2)), ("dilation", L(1, 2)));
        yield return Pair(F, [2, 4, 3, 3], [2, 2, 5, 5], [4, 3, 3, 3]);
        // Eight or more output channels per group take the kernel's GEMM path, fewer its dot-product path.
        yield return Pair(F, [2, 9, 4, 4], [2, 3, 6, 6], [9, 3, 3, 3]);
    }
}
