namespace Kiln.Optim;

/// <summary>Multiplies each group's learning rate by <c>gamma</c> every epoch (torch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialLR : LRScheduler
{
    private readonly double gamma;

    /// <summary>An exponential decay of <paramref name="optimizer"/>'s learning rates.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="gamma">The factor applied every epoch.</param>
    /// <param name="lastEpoch">The index of the last epoch when resuming; −1 to start afresh.</param>
    public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        this.gamma = gamma;
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        return LastEpoch == 0 ? lrs : lrs.Select(lr => lr * gamma).ToArray();
    }
}
