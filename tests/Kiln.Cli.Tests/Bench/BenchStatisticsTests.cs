using Kiln.Cli.Bench;

namespace Kiln.Cli.Tests.Bench;

/// <summary>The nearest-rank percentiles, the latency summary and the --shape syntax of <c>kiln bench</c>.</summary>
public sealed class BenchStatisticsTests
{
    [Fact]
    public void Nearest_rank_takes_the_value_at_rank_ceil_p_n()
    {
        double[] tenRuns = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(1, Percentiles.NearestRank(tenRuns, 0.1));
        Assert.Equal(1, Percentiles.NearestRank(tenRuns, 10));
        Assert.Equal(5, Percentiles.NearestRank(tenRuns, 50));
        Assert.Equal(9, Percentiles.NearestRank(tenRuns, 90));
        Assert.Equal(10, Percentiles.NearestRank(tenRuns, 90.1));
        Assert.Equal(10, Percentiles.NearestRank(tenRuns, 99));
        Assert.Equal(10, Percentiles.NearestRank(tenRuns, 100));
        // The textbook example (Wikipedia, "Percentile", nearest-rank method).
        double[] five = [15, 20, 35, 40, 50];
        Assert.Equal([15.0, 20, 20, 35, 50], new[] { 5.0, 30, 40, 50, 100 }.Select(p => Percentiles.NearestRank(five, p)));
        Assert.Equal(35, Percentiles.NearestRank([35], 99));
    }

    [Fact]
    public void Nearest_rank_of_a_hundred_runs_is_the_runs_own_rank()
    {
        var hundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        foreach (int p in new[] { 1, 50, 90, 99, 100 }) Assert.Equal(p, Percentiles.NearestRank(hundred, p));
        Assert.Equal(100, Percentiles.NearestRank(hundred, 99.5));
    }

    [Fact]
    public void A_percentile_of_nothing_or_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Percentiles.NearestRank([], 50));
        foreach (double p in new[] { 0, -1, 100.5, double.NaN })
            Assert.Throws<ArgumentException>(() => Percentiles.NearestRank([1.0, 2.0], p));
        Assert.Throws<ArgumentException>(() => LatencySummary.Of([]));
    }

    [Fact]
    public void The_summary_sorts_the_runs_and_counts_throughput_from_the_mean()
    {
        var s = LatencySummary.Of([4.0, 1.0, 3.0, 2.0]);
        Assert.Equal(new LatencySummary(4, 1, 2.5, 2, 4, 4, 4), s);
        Assert.Equal(400, s.RunsPerSecond, 9);
    }

    [Fact]
    public void Shapes_are_positive_dims_separated_by_x()
    {
        Assert.Equal([64L, 1, 8, 8], InputShapes.Parse("64x1x8x8"));
        Assert.Equal([5L], InputShapes.Parse("5"));
        Assert.Equal("float32[64, 1, 8, 8]", InputShapes.Describe([64, 1, 8, 8]));
    }

    [Theory]
    [InlineData("", "dim 0")]
    [InlineData("64x", "dim 1")]
    [InlineData("x8", "dim 0")]
    [InlineData("64x0x8", "dim 1 (\"0\")")]
    [InlineData("64X8", "dim 0 (\"64X8\")")]
    [InlineData("6.4", "dim 0")]
    [InlineData("+5", "dim 0")]
    [InlineData("-5", "dim 0")]
    [InlineData(" 5", "dim 0")]
    [InlineData("99999999999999999999x2", "dim 0")]
    [InlineData("100000x100000x100", "too large")]
    public void A_bad_shape_names_the_dim_or_the_size(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => InputShapes.Parse(text));
        Assert.Contains($"--shape \"{text}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
