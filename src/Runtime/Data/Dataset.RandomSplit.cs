namespace Kiln.Data;

/// <summary>Operations on data sets (the functions of <c>torch.utils.data</c>).</summary>
public static class Dataset
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into non-overlapping subsets of the given lengths, each a random selection
    /// of its samples (<c>torch.utils.data.random_split</c>).
    /// </summary>
    /// <param name="dataset">The data set to split.</param>
    /// <param name="lengths">The size of each subset; they must add up to the data set's size.</param>
    /// <param name="generator">The generator the permutation is drawn from; <see cref="Random.DefaultGenerator"/> when null.</param>
    /// <exception cref="ArgumentException">A length is negative, or the lengths do not add up to the data set's size.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, IReadOnlyList<long> lengths, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(lengths);
        for (int i = 0; i < lengths.Count; i++)
        {
            if (lengths[i] < 0) throw new ArgumentException($"random_split: length at index {i} is negative ({lengths[i]})", nameof(lengths));
        }
        long sum = lengths.Sum();
        if (sum != dataset.Count)
            throw new ArgumentException($"random_split: the lengths [{string.Join(", ", lengths)}] add up to {sum}, but the data set has {dataset.Count} samples", nameof(lengths));
        var order = RandomPermutation.Draw(sum, generator ?? Random.DefaultGenerator);
        var subsets = new Subset<T>[lengths.Count];
        long start = 0;
        for (int i = 0; i < subsets.Length; i++)
        {
            subsets[i] = new Subset<T>(dataset, new ArraySegment<long>(order, (int)start, (int)lengths[i]));
            start += lengths[i];
        }
        return subsets;
    }

    /// <summary>
    /// Splits <paramref name="dataset"/> by fractions of its size, as PyTorch does: each subset gets
    /// floor(count × fraction) samples, and the samples left over go one each to the subsets in turn from the first.
    /// </summary>
    /// <param name="dataset">The data set to split.</param>
    /// <param name="fractions">Fractions in [0, 1] that add up to 1 (within 1e-9, and not above 1).</param>
    /// <param name="generator">The generator the permutation is drawn from; <see cref="Random.DefaultGenerator"/> when null.</param>
    /// <exception cref="ArgumentException">A fraction is outside [0, 1], or the fractions do not add up to 1.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, IReadOnlyList<double> fractions, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return RandomSplit(dataset, SplitLengths(dataset.Count, fractions), generator);
    }

    /// <summary>The subset lengths for <paramref name="fractions"/> of <paramref name="count"/> samples (torch's rounding).</summary>
    internal static long[] SplitLengths(long count, IReadOnlyList<double> fractions)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        if (fractions.Count == 0) throw new ArgumentException("random_split: expects at least one fraction", nameof(fractions));
        double sum = 0;
        for (int i = 0; i < fractions.Count; i++)
        {
            if (!(fractions[i] >= 0 && fractions[i] <= 1))
                throw new ArgumentException($"random_split: fraction at index {i} is not between 0 and 1 (got {fractions[i]})", nameof(fractions));
            sum += fractions[i];
        }
        // math.isclose(sum, 1) with its default relative tolerance, and sum <= 1, as torch tests.
        if (!(Math.Abs(sum - 1) <= 1e-9 * Math.Max(Math.Abs(sum), 1) && sum <= 1))
            throw new ArgumentException($"random_split: the fractions [{string.Join(", ", fractions)}] add up to {sum}; fractions must add up to 1", nameof(fractions));
        var lengths = new long[fractions.Count];
        long assigned = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = (long)Math.Floor(count * fractions[i]);
            assigned += lengths[i];
        }
        for (long i = 0; i < count - assigned; i++) lengths[i % lengths.Length]++;
        return lengths;
    }
}
