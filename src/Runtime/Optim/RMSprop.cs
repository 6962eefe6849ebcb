using System.Numerics;

namespace Kiln.Optim;

/// <summary>
/// RMSprop (torch's <c>torch.optim.RMSprop</c>): per parameter, with <c>d = ±grad + weight_decay·p</c>,
/// <c>s = α·s + (1 − α)·d²</c>; when centered also <c>ḡ = α·ḡ + (1 − α)·d</c> and <c>avg = √(s − ḡ²) + eps</c>,
/// else <c>avg = √s + eps</c>; then <c>p −= lr·d/avg</c>, or with momentum <c>buf = momentum·buf + d/avg</c>, <c>p −= lr·buf</c>.
/// State: <c>"square_avg"</c>, <c>"momentum_buffer"</c> (momentum &gt; 0), <c>"grad_avg"</c> (centered) and the step count.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>RMSprop over <paramref name="parameters"/> (e.g. <c>module.Parameters()</c>).</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="alpha">The smoothing constant of the running averages.</param>
    /// <param name="eps">The term added to the denominator for numerical stability.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay·p</c>.</param>
    /// <param name="momentum">The momentum factor (0: none).</param>
    /// <param name="centered">Normalise by an estimate of the gradient's variance rather than its second moment.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">An option is out of range, or a parameter is invalid (see <see cref="Optimizer"/>).</exception>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    /// <summary>RMSprop over param groups with per-group overrides; the other arguments are the defaults.</summary>
    /// <inheritdoc cref="RMSprop(IEnumerable{Tensor}, double, double, double, double, double, bool, bool)"/>
    public RMSprop(IEnumerable<ParamGroup> paramGroups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    private static Dictionary<string, object?> DefaultOptions(double lr, double alpha, double eps, double weightDecay, double momentum, bool centered, bool maximize) =>
        new()
        {
            ["lr"] = lr, ["alpha"] = alpha, ["eps"] = eps, ["weight_decay"] = weightDecay,
            ["momentum"] = momentum, ["centered"] = centered, ["maximize"] = maximize,
        };

    /// <inheritdoc/>
    protected override void StepGroup(ParamGroup group)
    {
        var h = new Hyper(group.Lr, group.GetDouble("alpha"), group.Eps, group.WeightDecay, group.Momentum, group.GetBool("centered"), group.Maximize);
        foreach (var (param, grad, state) in ParamsWithGrad(group))
        {
            var squareAvg = state.GetOrCreate("square_avg", () => NewBuffer(param));
            var buffer = h.Momentum > 0 ? state.GetOrCreate("momentum_buffer", () => NewBuffer(param)) : null;
            var gradAvg = h.Centered ? state.GetOrCreate("grad_avg", () => NewBuffer(param)) : null;
            state.Step++;
            FusedUpdate.Run(param, grad, (p, g) =>
            {
                if (p.DType == DType.Float64) FusedUpdate.Lanes<double, Lane<double>>(new(h), p, g, squareAvg, buffer, gradAvg);
                else FusedUpdate.Lanes<float, Lane<float>>(new(h), p, g, squareAvg, buffer, gradAvg);
            });
        }
    }

    private readonly record struct Hyper(double Lr, double Alpha, double Eps, double WeightDecay, double Momentum, bool Centered, bool Maximize);

    // The operations and their order follow torch's single-tensor RMSprop.
    private readonly struct Lane<T>(Hyper h) : ILaneUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> negLr = new(T.CreateTruncating(-h.Lr));
        private readonly Vector<T> alpha = new(T.CreateTruncating(h.Alpha)), oneMinusAlpha = new(T.CreateTruncating(1 - h.Alpha));
        private readonly Vector<T> eps = new(T.CreateTruncating(h.Eps)), weightDecay = new(T.CreateTruncating(h.WeightDecay));
        private readonly Vector<T> momentum = new(T.CreateTruncating(h.Momentum));
        private readonly bool hasDecay = h.WeightDecay != 0, hasMomentum = h.Momentum > 0, centered = h.Centered, maximize = h.Maximize;

        public void Apply(ref Vector<T> param, Vector<T> grad, ref Vector<T> squareAvg, ref Vector<T> buffer, ref Vector<T> gradAvg)
        {
            var d = maximize ? -grad : grad;
            if (hasDecay) d += weightDecay * param;
            squareAvg = squareAvg * alpha + oneMinusAlpha * d * d;
            Vector<T> avg;
            if (centered)
            {
                gradAvg = gradAvg * alpha + oneMinusAlpha * d;
                avg = Vector.SquareRoot(squareAvg - gradAvg * gradAvg);
            }
            else
            {
                avg = Vector.SquareRoot(squareAvg);
            }
            avg += eps;
            if (hasMomentum)
            {
                buffer = buffer * momentum + d / avg;
                param += negLr * buffer;
            }
            else
            {
                param += negLr * (d / avg);
            }
        }
    }
}
