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

    /// <summary>Every op of this file.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Relu, LeakyRelu, Gelu, Silu, Softplus];

    /// <summary>Throws unless <paramref name="approximate"/> is GELU's <c>none</c> or <c>tanh</c>.</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static void CheckApproximate(string approximate)
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\"");
    }
}
