namespace Kiln.Optim;

/// <summary>
/// The 1cycle policy (torch's <c>OneCycleLR</c>), stepped once per batch: the learning rate rises from
/// <c>maxLr/divFactor</c> to <c>maxLr</c> over the first <c>pctStart</c> of the steps, then falls to
/// <c>maxLr/divFactor/finalDivFactor</c>; with <c>threePhase</c> it first falls back to the start value, symmetrically,
/// and only then to the minimum. With <c>cycleMomentum</c> the momentum (β1 for Adam-style optimisers) moves inversely
/// between <c>maxMomentum</c> and <c>baseMomentum</c>.
/// </summary>
/// <remarks>
/// As in torch, the schedule's end points live in each param group as options <c>"initial_lr"</c>, <c>"max_lr"</c>,
/// <c>"min_lr"</c>, <c>"max_momentum"</c> and <c>"base_momentum"</c>, so they are saved with the optimiser's state.
/// </remarks>
public sealed class OneCycleLR : LRScheduler
{
    private readonly Phase[] phases;
    private readonly AnnealStrategy annealStrategy;
    private readonly bool cycleMomentum, useBeta1;

    /// <summary>A 1cycle schedule with the same peak learning rate for every group.</summary>
    /// <inheritdoc cref="OneCycleLR(Optimizer, IReadOnlyList{double}, int?, int?, int?, double, AnnealStrategy, bool, double, double, double, double, bool, int)"/>
    public OneCycleLR(Optimizer optimizer, double maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos, bool cycleMomentum = true, double baseMomentum = 0.85,
        double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false, int lastEpoch = -1)
        : this(optimizer, Enumerable.Repeat(maxLr, optimizer?.ParamGroups.Count ?? 0).ToArray(), totalSteps, epochs, stepsPerEpoch, pctStart,
            annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase, lastEpoch)
    {
    }

    /// <summary>A 1cycle schedule with a peak learning rate per param group.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="maxLrs">The peak learning rate of each param group.</param>
    /// <param name="totalSteps">The number of steps in the cycle; or give <paramref name="epochs"/> and <paramref name="stepsPerEpoch"/>.</param>
    /// <param name="epochs">The number of epochs (with <paramref name="stepsPerEpoch"/>, when <paramref name="totalSteps"/> is null).</param>
    /// <param name="stepsPerEpoch">The number of steps per epoch.</param>
    /// <param name="pctStart">The fraction of the cycle spent raising the learning rate, in [0, 1].</param>
    /// <param name="annealStrategy">Cosine or linear annealing between the end points.</param>
    /// <param name="cycleMomentum">Cycle the momentum (or β1) inversely to the learning rate.</param>
    /// <param name="baseMomentum">The lowest momentum, reached at the peak learning rate.</param>
    /// <param name="maxMomentum">The highest momentum, at the start and the end.</param>
    /// <param name="divFactor">The initial learning rate is <c>maxLr/divFactor</c>.</param>
    /// <param name="finalDivFactor">The final learning rate is the initial one over <c>finalDivFactor</c>.</param>
    /// <param name="threePhase">Use three phases: up, back down to the initial rate, then down to the minimum.</param>
    /// <param name="lastEpoch">The index of the last step when resuming; −1 to start afresh.</param>
    /// <exception cref="ArgumentException">The step counts are missing or not positive, <paramref name="pctStart"/> is out of range,
    /// <paramref name="maxLrs"/> has the wrong length, or momentum cycling is asked of an optimiser without momentum.</exception>
    public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> maxLrs, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos, bool cycleMomentum = true, double baseMomentum = 0.85,
        double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false, int lastEpoch = -1)
        : base(Prepare(optimizer, maxLrs, divFactor, finalDivFactor, cycleMomentum, baseMomentum, maxMomentum, lastEpoch), lastEpoch)
    {
        TotalSteps = ResolveTotalSteps(totalSteps, epochs, stepsPerEpoch);
        if (!(pctStart >= 0 && pctStart <= 1))
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"OneCycleLR: pctStart must be in [0, 1], got {pctStart}");
        this.annealStrategy = annealStrategy;
        this.cycleMomentum = cycleMomentum;
        useBeta1 = optimizer.Defaults.ContainsKey("betas");
        double up = pctStart * TotalSteps - 1;
        phases = threePhase
            ? [new(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
               new(2 * pctStart * TotalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
               new(TotalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
            : [new(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
               new(TotalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")];
        InitialStep();
    }

    /// <summary>The number of steps in the cycle.</summary>
    public int TotalSteps { get; }

    private readonly record struct Phase(double EndStep, string StartLr, string EndLr, string StartMomentum, string EndMomentum);

    private static Optimizer Prepare(Optimizer optimizer, IReadOnlyList<double> maxLrs, double divFactor, double finalDivFactor,
        bool cycleMomentum, double baseMomentum, double maxMomentum, int lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(maxLrs);
        var groups = optimizer.ParamGroups;
        if (maxLrs.Count != groups.Count)
            throw new ArgumentException($"OneCycleLR: expected {groups.Count} values for maxLr (one per param group), got {maxLrs.Count}");
        bool useBeta1 = optimizer.Defaults.ContainsKey("betas");
        if (cycleMomentum && !useBeta1 && !optimizer.Defaults.ContainsKey("momentum"))
            throw new ArgumentException($"OneCycleLR: cycleMomentum needs an optimiser with momentum or betas; {optimizer.GetType().Name} has neither (pass cycleMomentum: false)");
        if (lastEpoch != -1) return optimizer;
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            g.InitialLr = maxLrs[i] / divFactor;
            g["max_lr"] = maxLrs[i];
            g["min_lr"] = g.InitialLr / finalDivFactor;
            if (!cycleMomentum) continue;
            if (useBeta1) g.Betas = (maxMomentum, g.Betas.Beta2);
            else g.Momentum = maxMomentum;
            g["max_momentum"] = maxMomentum;
            g["base_momentum"] = baseMomentum;
        }
        return optimizer;
    }

    private static int ResolveTotalSteps(int? totalSteps, int? epochs, int? stepsPerEpoch)
    {
        if (totalSteps is { } total)
            return total > 0 ? total : throw new ArgumentOutOfRangeException(nameof(totalSteps), total, $"OneCycleLR: totalSteps must be positive, got {total}");
        if (epochs is not { } e || stepsPerEpoch is not { } s)
            throw new ArgumentException("OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch");
        if (e <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), e, $"OneCycleLR: epochs must be positive, got {e}");
        if (s <= 0) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), s, $"OneCycleLR: stepsPerEpoch must be positive, got {s}");
        return e * s;
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        int stepNum = LastEpoch;
        if (stepNum > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR: tried to step {stepNum} times; the schedule has {TotalSteps} total steps");
        var groups = Optimizer.ParamGroups;
        var lrs = new double[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            double startStep = 0;
            for (int k = 0; k < phases.Length; k++)
            {
                var phase = phases[k];
                if (stepNum <= phase.EndStep || k == phases.Length - 1)
                {
                    double pct = (stepNum - startStep) / (phase.EndStep - startStep);
                    lrs[i] = Anneal(g.GetDouble(phase.StartLr), g.GetDouble(phase.EndLr), pct);
                    if (cycleMomentum)
                    {
                        double momentum = Anneal(g.GetDouble(phase.StartMomentum), g.GetDouble(phase.EndMomentum), pct);
                        if (useBeta1) g.Betas = (momentum, g.Betas.Beta2);
                        else g.Momentum = momentum;
                    }
                    break;
                }
                startStep = phase.EndStep;
            }
        }
        return lrs;
    }

    private double Anneal(double start, double end, double pct) => annealStrategy == AnnealStrategy.Cos
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;
}
