namespace Kiln.Cli.Bench;

/// <summary>Percentiles by the nearest-rank definition.</summary>
internal static class Percentiles
{
    /// <summary>
    /// The <paramref name="percent"/>-th percentile of <paramref name="sorted"/> (ascending) by nearest rank: the
    /// smallest value such that at least <paramref name="percent"/>% of the values are at most it, i.e. the value at
    /// 1-based rank ⌈percent/100 · n⌉. It is always one of the measured values (no interpolation), so p50 ≤ p90 ≤ p99
    /// ≤ max holds for any sample, and with fewer than 100 runs p99 is the maximum.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sorted"/> is empty, or <paramref name="percent"/> is not in (0, 100].</exception>
    internal static double NearestRank(IReadOnlyList<double> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("a percentile of no values is undefined");
        if (!(percent > 0 && percent <= 100)) throw new ArgumentException($"percentile {percent} is not in (0, 100]");
        // In decimal, so that 90% of 10 runs is rank 9 exactly (in double, 0.9 * 10 may round above 9 and take rank 10).
        int rank = (int)Math.Ceiling((decimal)percent * sorted.Count / 100m);
        return sorted[rank - 1];
    }
}
