using System.Numerics;

namespace Kiln.Optim;

/// <summary>
/// Adagrad (torch's <c>torch.optim.Adagrad</c>): per parameter, with <c>d = ±grad + weight_decay·p</c>,
/// <c>sum += d²</c> and <c>p −= clr·d / (√sum + eps)</c>, where <c>clr = lr / (1 + (t − 1)·lr_decay)</c> at step t.
/// State: <c>"sum"</c> (starting at <c>initial_accumulator_value</c>) and the step count.
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Adagrad over <paramref name="parameters"/> (e.g. <c>module.Parameters()</c>).</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="lrDecay">The learning-rate decay per step.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay·p</c>.</param>
    /// <param name="initialAccumulatorValue">The starting value of the sum of squared gradients.</param>
    /// <param name="eps">The term added to the denominator for numerical stability.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">An option is out of range, or a parameter is invalid (see <see cref="Optimizer"/>).</exception>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(parameters, DefaultOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
    }

    /// <summary>Adagrad over param groups with per-group overrides; the other arguments are the defaults.</summary>
    /// <inheritdoc cref="Adagrad(IEnumerable{Tensor}, double, double, double, double, double, bool)"/>
    public Adagrad(IEnumerable<ParamGroup> paramGroups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
    }

    private static Dictionary<string, object?> DefaultOptions(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps, bool maximize) =>
        new()
        {
            ["lr"] = lr, ["lr_decay"] = lrDecay, ["weight_decay"] = weightDecay,
            ["initial_accumulator_value"] = initialAccumulatorValue, ["eps"] = eps, ["maximize"] = maximize,
        };

    /// <inheritdoc/>
    protected override void StepGroup(ParamGroup group)
    {
        double lr = group.Lr, lrDecay = group.GetDouble("lr_decay"), initial = group.GetDouble("initial_accumulator_value");
        foreach (var (param, grad, state) in ParamsWithGrad(group))
        {
            var sum = state.GetOrCreate("sum", () => NewBuffer(param, initial));
            long step = ++state.Step;
            var h = new Hyper(lr / (1 + (step - 1) * lrDecay), group.Eps, group.WeightDecay, group.Maximize);
            FusedUpdate.Run(param, grad, (p, g) =>
            {
                if (p.DType == DType.Float64) FusedUpdate.Lanes<double, Lane<double>>(new(h), p, g, sum);
                else FusedUpdate.Lanes<float, Lane<float>>(new(h), p, g, sum);
            });
        }
    }

    private readonly record struct Hyper(double DecayedLr, double Eps, double WeightDecay, bool Maximize);

    // The operations and their order follow torch's single-tensor Adagrad.
    private readonly struct Lane<T>(Hyper h) : ILaneUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> negLr = new(T.CreateTruncating(-h.DecayedLr));
        private readonly Vector<T> eps = new(T.CreateTruncating(h.Eps)), weightDecay = new(T.CreateTruncating(h.WeightDecay));
        private readonly bool hasDecay = h.WeightDecay != 0, maximize = h.Maximize;

        public void Apply(ref Vector<T> param, Vector<T> grad, ref Vector<T> sum, ref Vector<T> unused1, ref Vector<T> unused2)
        {
            var d = maximize ? -grad : grad;
            if (hasDecay) d += weightDecay * param;
            sum += d * d;
            param += negLr * (d / (Vector.SquareRoot(sum) + eps));
        }
    }
}
