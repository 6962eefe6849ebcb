using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Elementwise;

namespace Kiln.NN;

// Elementwise activations of torch.nn.functional. With inplace: true the input is overwritten and returned.
public static partial class Functional
{
    /// <summary><c>max(input, 0)</c> (<c>torch.nn.functional.relu</c>).</summary>
    public static Tensor Relu(Tensor input, bool inplace = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        return inplace ? input.Relu_() : input.Relu();
    }

    /// <summary>
    /// <c>input</c> where positive, else <c>input · negativeSlope</c> (<c>torch.nn.functional.leaky_relu</c>;
    /// floating point only).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not floating point.</exception>
    public static Tensor LeakyRelu(Tensor input, double negativeSlope = 0.01, bool inplace = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (inplace && input.InPlaceNeedsGrad())
            return input.InPlaceWithGrad("leaky_relu_", negativeSlope, static (t, slope) => LeakyRelu(t, slope));
        var result = UnaryDriver.Float("leaky_relu", input, new LeakyReluOp(negativeSlope), ActivationOps.LeakyRelu.DTypes, inplace ? input : null);
        return inplace || !GradRecorder.IsNeeded(input)
            ? result
            : GradRecorder.Track(result, "leaky_relu", input, new Attrs { { "negative_slope", negativeSlope } });
    }

    /// <summary>
    /// GELU (<c>torch.nn.functional.gelu</c>): exact, <c>x/2 · (1 + erf(x/√2))</c>, when
    /// <paramref name="approximate"/> is <c>"none"</c>; its tanh approximation when it is <c>"tanh"</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not floating point, or approximate is neither "none" nor "tanh".</exception>
    public static Tensor Gelu(Tensor input, string approximate = "none")
    {
        ArgumentNullException.ThrowIfNull(input);
        ActivationOps.CheckApproximate(approximate);
        var dtypes = ActivationOps.Gelu.DTypes;
        var result = approximate == "tanh"
            ? UnaryDriver.Float("gelu", input, new GeluTanhOp(), dtypes)
            : UnaryDriver.Float("gelu", input, new GeluOp(), dtypes);
        return GradRecorder.IsNeeded(input) ? GradRecorder.Track(result, "gelu", input, new Attrs { { "approximate", approximate } }) : result;
    }

    /// <summary>SiLU (swish), <c>x · sigmoid(x)</c> (<c>torch.nn.functional.silu</c>; floating point only).</summary>
    /// <exception cref="ArgumentException">The input is not floating point.</exception>
    public static Tensor Silu(Tensor input, bool inplace = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (inplace && input.InPlaceNeedsGrad())
            return input.InPlaceWithGrad("silu_", static t => Silu(t));
        var result = UnaryDriver.Float("silu", input, new SiluOp(), ActivationOps.Silu.DTypes, inplace ? input : null);
        return inplace ? result : GradRecorder.Track(result, "silu", input);
    }

    /// <summary>
    /// <c>log(1 + exp(beta·x)) / beta</c>, or x itself where <c>beta·x &gt; threshold</c>
    /// (<c>torch.nn.functional.softplus</c>; floating point only).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not floating point.</exception>
    public static Tensor Softplus(Tensor input, double beta = 1, double threshold = 20)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = UnaryDriver.Float("softplus", input, new SoftplusOp(beta, threshold), ActivationOps.Softplus.DTypes);
        return GradRecorder.IsNeeded(input)
            ? GradRecorder.Track(result, "softplus", input, new Attrs { { "beta", beta }, { "threshold", threshold } })
            : result;
    }

    /// <summary>The logistic sigmoid (<c>torch.nn.functional.sigmoid</c>).</summary>
    public static Tensor Sigmoid(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }

    /// <summary>The hyperbolic tangent (<c>torch.nn.functional.tanh</c>).</summary>
    public static Tensor Tanh(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanh();
    }
}
