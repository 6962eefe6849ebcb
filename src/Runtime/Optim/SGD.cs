using System.Numerics;

namespace Kiln.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay
/// (torch's <c>torch.optim.SGD</c>). Per parameter: <c>d = ±grad + weight_decay·p</c>; with momentum
/// <c>buf = momentum·buf + (1 − dampening)·d</c> (<c>buf = d</c> on the first step) and <c>d = buf</c>, or
/// <c>d + momentum·buf</c> when Nesterov; then <c>p −= lr·d</c>. State: <c>"momentum_buffer"</c> when momentum ≠ 0.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>SGD over <paramref name="parameters"/> (e.g. <c>module.Parameters()</c>).</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="momentum">The momentum factor (0: plain SGD).</param>
    /// <param name="dampening">The dampening of the momentum's gradient term.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay·p</c>.</param>
    /// <param name="nesterov">Use Nesterov momentum (requires momentum &gt; 0 and zero dampening).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">An option is out of range, or a parameter is invalid (see <see cref="Optimizer"/>).</exception>
    public SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, momentum, dampening, weightDecay, nesterov, maximize))
    {
    }

    /// <summary>SGD over param groups with per-group overrides; the other arguments are the defaults.</summary>
    /// <inheritdoc cref="SGD(IEnumerable{Tensor}, double, double, double, double, bool, bool)"/>
    public SGD(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, momentum, dampening, weightDecay, nesterov, maximize))
    {
    }

    private static Dictionary<string, object?> DefaultOptions(double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize) =>
        new()
        {
            ["lr"] = lr, ["momentum"] = momentum, ["dampening"] = dampening,
            ["weight_decay"] = weightDecay, ["nesterov"] = nesterov, ["maximize"] = maximize,
        };

    /// <inheritdoc/>
    protected override void StepGroup(ParamGroup group)
    {
        var h = new Hyper(group.Lr, group.Momentum, group.GetDouble("dampening"), group.WeightDecay, group.GetBool("nesterov"), group.Maximize);
        foreach (var (param, grad, state) in ParamsWithGrad(group))
        {
            state.Step++;
            bool first = h.Momentum != 0 && state.Buffer("momentum_buffer") is null;
            var buffer = h.Momentum != 0 ? state.GetOrCreate("momentum_buffer", () => NewBuffer(param)) : null;
            FusedUpdate.Run(param, grad, (p, g) =>
            {
                if (p.DType == DType.Float64) FusedUpdate.Lanes<double, Lane<double>>(new(h, first), p, g, buffer);
                else FusedUpdate.Lanes<float, Lane<float>>(new(h, first), p, g, buffer);
            });
        }
    }

    private readonly record struct Hyper(double Lr, double Momentum, double Dampening, double WeightDecay, bool Nesterov, bool Maximize);

    private readonly struct Lane<T>(Hyper h, bool first) : ILaneUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> negLr = new(T.CreateTruncating(-h.Lr));
        private readonly Vector<T> momentum = new(T.CreateTruncating(h.Momentum));
        private readonly Vector<T> gradScale = new(T.CreateTruncating(1 - h.Dampening));
        private readonly Vector<T> weightDecay = new(T.CreateTruncating(h.WeightDecay));
        private readonly bool hasMomentum = h.Momentum != 0, hasDecay = h.WeightDecay != 0, nesterov = h.Nesterov, maximize = h.Maximize;

        public void Apply(ref Vector<T> param, Vector<T> grad, ref Vector<T> buffer, ref Vector<T> unused1, ref Vector<T> unused2)
        {
            var d = maximize ? -grad : grad;
            if (hasDecay) d += weightDecay * param;
            if (hasMomentum)
            {
                buffer = first ? d : buffer * momentum + gradScale * d;
                d = nesterov ? d + momentum * buffer : buffer;
            }
            param += negLr * d;
        }
    }
}
