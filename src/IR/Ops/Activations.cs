using static Kiln.IR.Ops.ElementwiseDefs;

namespace Kiln.IR.Ops;

/// <summary>Elementwise activations (<c>torch.relu</c> and <c>torch.nn.functional</c>'s leaky_relu, gelu, silu, softplus).</summary>
public static class ActivationOps
{
    /// <summary><c>max(self, 0)</c> in the input's dtype (not defined on bool).</summary>
    public static OpDef Relu { get; } = WithGradSamples(SameUnary("relu", Numeric), SampleDomain.NonZero, null, GradShapes)
        with { Gradient = ElementwiseGradients.Relu };

    /// <summary><c>self</c> where positive, else <c>self · negative_slope</c> (floating point only).</summary>
    public static OpDef LeakyRelu { get; } = Activation("leaky_relu", [new AttrDef("negative_slope", "float", 0.01)],
        [Attrs.Empty, new Attrs { { "negative_slope", 0.2 } }]) with { Gradient = ElementwiseGradients.LeakyRelu };

    /// <summary>GELU: exact (<c>approximate="none"</c>, with erf) or its tanh approximation (<c>"tanh"</c>).</summary>
    /// <remarks>
    /// torch 1.13 evaluates bfloat16 GELU on non-contiguous inputs in bfloat16 arithmetic, up to ~6 bfloat16 ulps
    /// from the float32 result Kiln rounds once, hence the wider bfloat16 tolerance.
    /// </remarks>
    public static OpDef Gelu { get; } = Activation("gelu", [new AttrDef("approximate", "str", "none")],
        [Attrs.Empty, new Attrs { { "approximate", "tanh" } }], attrs => CheckApproximate(attrs.GetString("approximate", "none")),
        bfloat16Tolerance: new Tolerance(4e-2, 2e-3)) with { Gradient = ElementwiseGradients.Gelu };

    /// <summary>SiLU (swish): <c>self · sigmoid(self)</c>.</summary>
    public static OpDef Silu { get; } = Activation("silu", [], [Attrs.Empty]) with { Gradient = ElementwiseGradients.Silu };

    /// <summary><c>log(1 + exp(beta·self)) / beta</c>, or self where beta·self &gt; threshold.</summary>
    public static OpDef Softplus { get; } = Activation("softplus", [new AttrDef("beta", "float", 1.0), new AttrDef("threshold", "float", 20.0)],
        [Attrs.Empty, new Attrs { { "beta", 2.0 }, { "threshold", 5.0 } }]) with { Gradient = ElementwiseGradients.Softplus };

    /// <summary>
    /// PyTorch's <c>threshold_backward(grad_output, self, threshold)</c>: <c>grad_output</c> where
    /// <c>self &gt; threshold</c> (NaN included), else 0, in one pass; relu's gradient (with the result as self).
    /// </summary>
    public static OpDef ThresholdBackward { get; } = Binary("threshold_backward", ResultKind.Same, Floating, schema: [new AttrDef("threshold", "float")]) with
    {
        InferTypes = ThresholdBackwardTypes,
        Samples = ThresholdBackwardSamples,
        Gradient = ElementwiseGradients.ThresholdBackward,
    };

    /// <summary>Every op of this file.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Relu, LeakyRelu, Gelu, Silu, Softplus, ThresholdBackward];

    private static readonly Attrs ThresholdZero = new() { { "threshold", 0.0 } };

    private static readonly TypeRule PromotedFloat = Promoted("threshold_backward", ResultKind.Same, Floating);

    /// <summary>The promoted float dtype and broadcast shape; the threshold attribute is required.</summary>
    private static TensorType[] ThresholdBackwardTypes(IReadOnlyList<TensorType> inputs, Attrs attrs)
    {
        if (attrs["threshold"] is not (double or long))
            throw new ArgumentException($"threshold_backward: the 'threshold' attribute must be a number, got {attrs["threshold"]?.GetType().Name ?? "none"}");
        return PromotedFloat(inputs, attrs);
    }

    /// <summary>
    /// float64 gradient-check samples first, then every float dtype and promotion pair, NaN/±infinity/±0 as self
    /// (NaN passes the gradient, as in PyTorch) and nonzero thresholds.
    /// </summary>
    private static IEnumerable<OpSample> ThresholdBackwardSamples() =>
        new (long[] Grad, long[] Self)[] { ([5], [5]), ([2, 3], [2, 3]), ([3, 4], [3, 1]) }
            .Select(s => new OpSample([new TensorSpec(DType.Float64, s.Grad), new TensorSpec(DType.Float64, s.Self)], ThresholdZero))
            .Concat(SampleSets.Binary(SampleFloats, attrs: ThresholdZero))
            .Append(new([new TensorSpec(DType.Float32, [16]), new TensorSpec(DType.Float32, [16], SampleLayout.Contiguous, SampleDomain.Special)], ThresholdZero))
            .Append(BinarySample(DType.Float32, SampleDomain.Any, SampleDomain.Any, new Attrs { { "threshold", 0.5 } }))
            .Append(BinarySample(DType.Float64, SampleDomain.Any, SampleDomain.Any, new Attrs { { "threshold", -0.25 } }));

    /// <summary>Throws unless <paramref name="approximate"/> is GELU's <c>none</c> or <c>tanh</c>.</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static void CheckApproximate(string approximate)
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\"");
    }
}
