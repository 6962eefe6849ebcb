using System.Numerics;

namespace Kiln.Optim;

/// <summary>
/// Adam (torch's <c>torch.optim.Adam</c>): per parameter, with <c>d = ±grad + weight_decay·p</c> (L2 penalty),
/// <c>m = β1·m + (1 − β1)·d</c>, <c>v = β2·v + (1 − β2)·d²</c>, and
/// <c>p −= lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)</c>; with amsgrad the running maximum of <c>v</c> replaces
/// <c>v</c> in the denominator. State: <c>"exp_avg"</c>, <c>"exp_avg_sq"</c>, <c>"max_exp_avg_sq"</c> (amsgrad) and the step count.
/// </summary>
public class Adam : Optimizer
{
    private readonly bool decoupledWeightDecay;

    /// <summary>Adam over <paramref name="parameters"/> (e.g. <c>module.Parameters()</c>).</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="betas">The coefficients of the running averages of the gradient and its square, each in [0, 1); default (0.9, 0.999).</param>
    /// <param name="eps">The term added to the denominator for numerical stability.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay·p</c>.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (the running maximum of the second moment).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">An option is out of range, or a parameter is invalid (see <see cref="Optimizer"/>).</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(parameters, DefaultOptions(lr, betas, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: false)
    {
    }

    /// <summary>Adam over param groups with per-group overrides; the other arguments are the defaults.</summary>
    /// <inheritdoc cref="Adam(IEnumerable{Tensor}, double, ValueTuple{double, double}?, double, double, bool, bool)"/>
    public Adam(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(paramGroups, DefaultOptions(lr, betas, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: false)
    {
    }

    /// <summary>An Adam variant: <paramref name="decoupledWeightDecay"/> shrinks the parameters by <c>1 − lr·weight_decay</c> instead of adding an L2 term to the gradient.</summary>
    private protected Adam(IEnumerable<Tensor> parameters, Dictionary<string, object?> defaults, bool decoupledWeightDecay)
        : base(parameters, defaults) => this.decoupledWeightDecay = decoupledWeightDecay;

    /// <inheritdoc cref="Adam(IEnumerable{Tensor}, Dictionary{string, object?}, bool)"/>
    private protected Adam(IEnumerable<ParamGroup> paramGroups, Dictionary<string, object?> defaults, bool decoupledWeightDecay)
        : base(paramGroups, defaults) => this.decoupledWeightDecay = decoupledWeightDecay;

    private protected static Dictionary<string, object?> DefaultOptions(double lr, (double, double)? betas, double eps, double weightDecay, bool amsgrad, bool maximize) =>
        new()
        {
            ["lr"] = lr, ["betas"] = betas ?? (0.9, 0.999), ["eps"] = eps,
            ["weight_decay"] = weightDecay, ["amsgrad"] = amsgrad, ["maximize"] = maximize,
        };

    /// <inheritdoc/>
    protected override void StepGroup(ParamGroup group)
    {
        var (beta1, beta2) = group.Betas;
        bool amsgrad = group.GetBool("amsgrad");
        foreach (var (param, grad, state) in ParamsWithGrad(group))
        {
            var expAvg = state.GetOrCreate("exp_avg", () => NewBuffer(param));
            var expAvgSq = state.GetOrCreate("exp_avg_sq", () => NewBuffer(param));
            var maxExpAvgSq = amsgrad ? state.GetOrCreate("max_exp_avg_sq", () => NewBuffer(param)) : null;
            long step = ++state.Step;
            var h = new Hyper(group.Lr, beta1, beta2, group.Eps, group.WeightDecay, decoupledWeightDecay, amsgrad, group.Maximize,
                BiasCorrection1: 1 - Math.Pow(beta1, step), BiasCorrection2Sqrt: Math.Sqrt(1 - Math.Pow(beta2, step)));
            FusedUpdate.Run(param, grad, (p, g) =>
            {
                if (p.DType == DType.Float64) FusedUpdate.Lanes<double, Lane<double>>(new(h), p, g, expAvg, expAvgSq, maxExpAvgSq);
                else FusedUpdate.Lanes<float, Lane<float>>(new(h), p, g, expAvg, expAvgSq, maxExpAvgSq);
            });
        }
    }

    private readonly record struct Hyper(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool Decoupled,
        bool Amsgrad, bool Maximize, double BiasCorrection1, double BiasCorrection2Sqrt);

    // The operations and their order follow torch's single-tensor Adam, so float32 rounding stays close to torch's.
    private readonly struct Lane<T>(Hyper h) : ILaneUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> beta1 = new(T.CreateTruncating(h.Beta1)), oneMinusBeta1 = new(T.CreateTruncating(1 - h.Beta1));
        private readonly Vector<T> beta2 = new(T.CreateTruncating(h.Beta2)), oneMinusBeta2 = new(T.CreateTruncating(1 - h.Beta2));
        private readonly Vector<T> eps = new(T.CreateTruncating(h.Eps)), weightDecay = new(T.CreateTruncating(h.WeightDecay));
        private readonly Vector<T> decayFactor = new(T.CreateTruncating(1 - h.Lr * h.WeightDecay));
        private readonly Vector<T> biasCorrection2Sqrt = new(T.CreateTruncating(h.BiasCorrection2Sqrt));
        private readonly Vector<T> negStepSize = new(T.CreateTruncating(-(h.Lr / h.BiasCorrection1)));
        private readonly bool l2 = !h.Decoupled && h.WeightDecay != 0, decoupled = h.Decoupled && h.WeightDecay != 0;
        private readonly bool amsgrad = h.Amsgrad, maximize = h.Maximize;

        public void Apply(ref Vector<T> param, Vector<T> grad, ref Vector<T> expAvg, ref Vector<T> expAvgSq, ref Vector<T> maxExpAvgSq)
        {
            var d = maximize ? -grad : grad;
            if (decoupled) param *= decayFactor;
            if (l2) d += weightDecay * param;
            expAvg = expAvg * beta1 + oneMinusBeta1 * d;
            expAvgSq = expAvgSq * beta2 + oneMinusBeta2 * d * d;
            Vector<T> second = expAvgSq;
            if (amsgrad) second = maxExpAvgSq = Vector.Max(maxExpAvgSq, expAvgSq);
            var denom = Vector.SquareRoot(second) / biasCorrection2Sqrt + eps;
            param += negStepSize * (expAvg / denom);
        }
    }
}
