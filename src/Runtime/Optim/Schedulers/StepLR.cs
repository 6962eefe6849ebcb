namespace Kiln.Optim;

/// <summary>Multiplies each group's learning rate by <c>gamma</c> every <c>stepSize</c> epochs (torch's <c>StepLR</c>).</summary>
public sealed class StepLR : LRScheduler
{
    private readonly int stepSize;
    private readonly double gamma;

    /// <summary>A step decay of <paramref name="optimizer"/>'s learning rates.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="stepSize">The period of the decay, in epochs (&gt; 0).</param>
    /// <param name="gamma">The factor applied at each decay.</param>
    /// <param name="lastEpoch">The index of the last epoch when resuming; −1 to start afresh.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is not positive.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (stepSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, $"StepLR: stepSize must be positive, got {stepSize}");
        this.stepSize = stepSize;
        this.gamma = gamma;
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        if (LastEpoch == 0 || LastEpoch % stepSize != 0) return lrs;
        return lrs.Select(lr => lr * gamma).ToArray();
    }
}
