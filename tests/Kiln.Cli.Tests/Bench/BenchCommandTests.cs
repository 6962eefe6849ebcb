using System.Globalization;
using System.Text.RegularExpressions;
using Kiln.NN;
using Kiln.Serialization;

namespace Kiln.Cli.Tests.Bench;

/// <summary>
/// <c>kiln bench</c> run as a process on a small model traced with a symbolic batch and saved here: latency
/// percentiles in order and throughput on success, one-line errors with exit code 1 on bad input.
/// </summary>
[Collection(DefaultGeneratorCollection.Name)]
public sealed partial class BenchCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kiln-bench-").FullName;
    private readonly string model;

    public BenchCommandTests()
    {
        var net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        model = Path.Combine(folder, "net.kiln");
        Jit.Trace(net, new TraceOptions { DynamicBatch = true }, Tensor.Randn(2, 4)).Save(model);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [GeneratedRegex(@"^latency \(ms\): min (?<min>\d+\.\d{3})  mean (?<mean>\d+\.\d{3})  p50 (?<p50>\d+\.\d{3})  p90 (?<p90>\d+\.\d{3})  p99 (?<p99>\d+\.\d{3})  max (?<max>\d+\.\d{3})$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"^throughput: (?<runs>\d+\.\d) runs/s, (?<samples>\d+\.\d) samples/s \(batch 16, dim 0 of the first input\)$", RegexOptions.Multiline)]
    private static partial Regex ThroughputLine();

    private static double Number(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static void AssertOneErrorLine(ProcessOutcome run, string contains) => run.AssertOneErrorLine("kiln bench", contains);

    [Fact]
    public void Bench_prints_ordered_latency_percentiles_and_throughput()
    {
        var run = KilnProcess.Run("bench", model, "--shape", "16x4", "--warmup", "2", "--iterations", "30");
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        var stdout = run.Stdout.ReplaceLineEndings("\n");
        Assert.Contains("inputs float32[16, 4]; 2 warm-up and 30 timed runs, no autograd", stdout, StringComparison.Ordinal);
        var latency = LatencyLine().Match(stdout);
        Assert.True(latency.Success, stdout);
        double min = Number(latency, "min"), p50 = Number(latency, "p50"), p90 = Number(latency, "p90"), p99 = Number(latency, "p99"), max = Number(latency, "max");
        Assert.True(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max, stdout);
        Assert.InRange(Number(latency, "mean"), min, max);
        Assert.True(max > 0, stdout);
        var throughput = ThroughputLine().Match(stdout);
        Assert.True(throughput.Success, stdout);
        double runs = Number(throughput, "runs"), samples = Number(throughput, "samples");
        Assert.True(runs > 0, stdout);
        // Both printed to 0.1: samples/s is 16 runs/s up to that rounding.
        Assert.InRange(samples, 16 * (runs - 0.05) - 0.05, 16 * (runs + 0.05) + 0.05);
    }

    [Fact]
    public void Inputs_the_stored_graph_does_not_take_are_one_error_line()
    {
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "16x5", "-n", "3"), "ScriptModule loaded from");
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "16x4", "--shape", "16x4", "-n", "3"), "ScriptModule loaded from");
        // The model was traced in training mode, so there is no graph for evaluation mode.
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "16x4", "--eval", "-n", "3"), "ScriptModule loaded from");
    }

    [Fact]
    public void Bad_shapes_counts_and_files_are_one_error_line()
    {
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "16xa"), "--shape \"16xa\": dim 1 (\"a\") is not a positive integer");
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "0x4"), "dim 0 (\"0\") is not a positive integer");
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "16x4", "--iterations", "0"), "--iterations must be positive, got 0");
        AssertOneErrorLine(KilnProcess.Run("bench", model, "--shape", "16x4", "--warmup=-1"), "--warmup must be zero or more, got -1");
        AssertOneErrorLine(KilnProcess.Run("bench", Path.Combine(folder, "none.kiln"), "--shape", "16x4"), "none.kiln");
        var bad = Path.Combine(folder, "bad.kiln");
        File.WriteAllBytes(bad, File.ReadAllBytes(model)[..30]);
        string message = Assert.Throws<KilnFormatException>(() => ScriptModule.Load(bad)).Message;
        AssertOneErrorLine(KilnProcess.Run("bench", bad, "--shape", "16x4"), message);
    }

    [Fact]
    public void Help_names_the_options_and_the_percentile_definition()
    {
        var run = KilnProcess.Run("bench", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--shape", "--warmup", "--iterations", "--eval", "--seed", "nearest rank" })
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
    }
}
