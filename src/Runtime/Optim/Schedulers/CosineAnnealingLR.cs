namespace Kiln.Optim;

/// <summary>
/// Anneals each group's learning rate from its initial value to <c>etaMin</c> along a half cosine over <c>tMax</c>
/// epochs, and back up over the next <c>tMax</c> (torch's <c>CosineAnnealingLR</c>, without restarts):
/// <c>lr(t) = etaMin + (lr₀ − etaMin)·(1 + cos(π·t/tMax))/2</c>.
/// </summary>
/// <remarks>
/// Computed in torch's chainable form (each step scales the group's current learning rate), which gives the same
/// values as the closed form when stepped every epoch, with torch's rounding, and composes with other changes to the learning rate.
/// </remarks>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int tMax;
    private readonly double etaMin;

    /// <summary>A cosine annealing of <paramref name="optimizer"/>'s learning rates.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="tMax">The number of epochs of a half period (&gt; 0).</param>
    /// <param name="etaMin">The smallest learning rate.</param>
    /// <param name="lastEpoch">The index of the last epoch when resuming; −1 to start afresh.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is not positive.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (tMax <= 0)
            throw new ArgumentOutOfRangeException(nameof(tMax), tMax, $"CosineAnnealingLR: tMax must be positive, got {tMax}");
        this.tMax = tMax;
        this.etaMin = etaMin;
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        int t = LastEpoch;
        if (t == 0) return lrs;
        var result = new double[lrs.Length];
        for (int i = 0; i < lrs.Length; i++)
        {
            double baseLr = BaseLrs[i];
            if (StepCount == 1 && t > 0) // resumed at a later epoch: no previous value to scale
                result[i] = etaMin + (baseLr - etaMin) * (1 + Math.Cos(t * Math.PI / tMax)) / 2;
            else if ((t - 1 - tMax) % (2 * tMax) == 0) // leaving the minimum, where the ratio below is 0/0
                result[i] = lrs[i] + (baseLr - etaMin) * (1 - Math.Cos(Math.PI / tMax)) / 2;
            else
                result[i] = (1 + Math.Cos(Math.PI * t / tMax)) / (1 + Math.Cos(Math.PI * (t - 1) / tMax)) * (lrs[i] - etaMin) + etaMin;
        }
        return result;
    }
}
