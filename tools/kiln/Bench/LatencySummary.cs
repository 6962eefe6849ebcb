namespace Kiln.Cli.Bench;

/// <summary>Per-run latencies of a benchmark, summarised.</summary>
/// <param name="Runs">The number of timed runs.</param>
/// <param name="MinMs">The fastest run, in milliseconds.</param>
/// <param name="MeanMs">The mean run, in milliseconds.</param>
/// <param name="P50Ms">The median (nearest rank), in milliseconds.</param>
/// <param name="P90Ms">The 90th percentile (nearest rank), in milliseconds.</param>
/// <param name="P99Ms">The 99th percentile (nearest rank), in milliseconds.</param>
/// <param name="MaxMs">The slowest run, in milliseconds.</param>
internal sealed record LatencySummary(int Runs, double MinMs, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    /// <summary>Runs per second: timed runs over the summed run times (time spent between runs is not counted).</summary>
    internal double RunsPerSecond => 1000.0 / MeanMs;

    /// <summary>Summarises <paramref name="latenciesMs"/> (one per run, any order).</summary>
    /// <exception cref="ArgumentException">There are no latencies.</exception>
    internal static LatencySummary Of(IEnumerable<double> latenciesMs)
    {
        var sorted = latenciesMs.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("a benchmark needs at least one timed run");
        return new LatencySummary(sorted.Length, sorted[0], sorted.Average(),
            Percentiles.NearestRank(sorted, 50), Percentiles.NearestRank(sorted, 90), Percentiles.NearestRank(sorted, 99), sorted[^1]);
    }
}
