namespace Kiln.Optim;

/// <summary>
/// Scales each group's learning rate by a factor that moves linearly from <c>startFactor</c> to <c>endFactor</c> over
/// <c>totalIters</c> epochs, then stays (torch's <c>LinearLR</c>); the usual warm-up schedule.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    private readonly double startFactor, endFactor;
    private readonly int totalIters;

    /// <summary>A linear ramp of <paramref name="optimizer"/>'s learning rates.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="startFactor">The factor at epoch 0, in (0, 1].</param>
    /// <param name="endFactor">The factor from epoch <paramref name="totalIters"/> on, in [0, 1].</param>
    /// <param name="totalIters">The number of epochs of the ramp.</param>
    /// <param name="lastEpoch">The index of the last epoch when resuming; −1 to start afresh.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor is out of range.</exception>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5, int lastEpoch = -1)
        : base(optimizer, lastEpoch)
    {
        if (!(startFactor > 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, $"LinearLR: startFactor must be in (0, 1], got {startFactor}");
        if (!(endFactor >= 0 && endFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, $"LinearLR: endFactor must be in [0, 1], got {endFactor}");
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        if (LastEpoch == 0) return lrs.Select(lr => lr * startFactor).ToArray();
        if (LastEpoch > totalIters) return lrs;
        // Chainable: the ratio of this epoch's factor to the previous one's.
        double ratio = 1 + (endFactor - startFactor) / (totalIters * startFactor + (LastEpoch - 1) * (endFactor - startFactor));
        return lrs.Select(lr => lr * ratio).ToArray();
    }
}
