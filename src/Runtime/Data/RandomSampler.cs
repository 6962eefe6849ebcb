namespace Kiln.Data;

/// <summary>
/// Sample indices in random order (<c>torch.utils.data.RandomSampler</c>): a new permutation of [0, count) every
/// epoch, or with <c>replacement</c> independent uniform draws. The numbers come from the given
/// <see cref="Generator"/> (the default generator when none is given), so a seeded generator gives the same
/// epochs on every run.
/// </summary>
public sealed class RandomSampler : Sampler<long>
{
    private readonly long dataCount;
    private readonly bool replacement;
    private readonly Generator? generator;

    /// <summary>A random sampler over a data set of <paramref name="dataCount"/> samples.</summary>
    /// <param name="dataCount">The number of samples in the data set.</param>
    /// <param name="replacement">Draw indices independently (repeats possible) instead of permuting.</param>
    /// <param name="numSamples">Indices per epoch (the data set's size by default); without replacement, more than the data set holds
    /// gives whole permutations one after another, then part of one, as PyTorch does.</param>
    /// <param name="generator">The generator to draw from; <see cref="Random.DefaultGenerator"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or <paramref name="numSamples"/> is 0.</exception>
    public RandomSampler(long dataCount, bool replacement = false, long? numSamples = null, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataCount);
        if (numSamples is <= 0)
            throw new ArgumentOutOfRangeException(nameof(numSamples), numSamples, $"RandomSampler: numSamples should be a positive integer, got {numSamples}");
        this.dataCount = dataCount;
        this.replacement = replacement;
        this.generator = generator;
        Count = numSamples ?? dataCount;
    }

    /// <inheritdoc/>
    public override long Count { get; }

    /// <summary>Starts an epoch; its indices are drawn now, not as the enumeration advances.</summary>
    public override IEnumerator<long> GetEnumerator()
    {
        var source = generator ?? Random.DefaultGenerator;
        return ((IEnumerable<long>)(replacement ? DrawWithReplacement(source) : DrawPermutations(source))).GetEnumerator();
    }

    private long[] DrawWithReplacement(Generator source) =>
        Count == 0 ? [] : Tensor.Randint(0, dataCount, [Count], generator: source).ToArray<long>();

    private long[] DrawPermutations(Generator source)
    {
        if (dataCount == 0) return [];
        var order = new long[Count];
        for (long done = 0; done < Count; done += dataCount)
        {
            var permutation = RandomPermutation.Draw(dataCount, source);
            Array.Copy(permutation, 0, order, done, Math.Min(dataCount, Count - done));
        }
        return order;
    }
}
