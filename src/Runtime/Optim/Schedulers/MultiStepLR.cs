namespace Kiln.Optim;

/// <summary>
/// Multiplies each group's learning rate by <c>gamma</c> when the epoch reaches one of the milestones (torch's
/// <c>MultiStepLR</c>); a milestone listed k times applies <c>gammaᵏ</c>.
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> milestoneCounts;
    private readonly double gamma;

    /// <summary>A decay of <paramref name="optimizer"/>'s learning rates at the given epochs.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="milestones">The epochs at which to decay.</param>
    /// <param name="gamma">The factor applied at each milestone.</param>
    /// <param name="lastEpoch">The index of the last epoch when resuming; −1 to start afresh.</param>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        milestoneCounts = milestones.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        this.gamma = gamma;
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        if (!milestoneCounts.TryGetValue(LastEpoch, out int count)) return lrs;
        double factor = Math.Pow(gamma, count);
        return lrs.Select(lr => lr * factor).ToArray();
    }
}
