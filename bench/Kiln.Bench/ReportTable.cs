using System.Globalization;

namespace Kiln.Bench;

/// <summary>Prints the results as a markdown table (pasteable into docs/performance.md) and writes the CSV.</summary>
internal static class ReportTable
{
    /// <summary>Writes the machine description, the table and its legend.</summary>
    public static void Print(TextWriter output, MachineInfo machine, BenchOptions options, IReadOnlyList<WorkloadResult> results)
    {
        foreach (string line in machine.Lines()) output.WriteLine(line);
        output.WriteLine($"method:      {options.Threads} threads each; {options.Rounds} interleaved round(s) × {options.Harness.Repetitions} repetitions of ~{options.Harness.RepetitionSeconds * 1e3:0} ms after {options.Harness.SettleSeconds:0.##} s of settling per side and ≥{options.Harness.WarmupSeconds:0.##} s warm-up; medians");
        output.WriteLine();
        output.WriteLine("| workload | unit | Kiln | TorchSharp | Kiln/TorchSharp | Kiln speed | ORT | Kiln/ORT | round spread Kiln / TS | other load med / max | check |");
        output.WriteLine("|---|---|---:|---:|---:|---|---:|---:|---|---|---|");
        foreach (WorkloadResult r in results)
        {
            output.WriteLine($"| {r.Workload.Name} | {r.Workload.Metric.Unit} | {Figure(r.KilnFigure)} | {Figure(r.TorchSharpFigure)} | {Ratio(r.Ratio)} | {Speed(r.SpeedUp)} " +
                $"| {Figure(r.OrtFigure)} | {Ratio(r.OrtRatio)} " +
                $"| {Percent(WorkloadResult.Spread(r.Kiln))} / {Percent(WorkloadResult.Spread(r.TorchSharp))} | {Percent(r.MedianOtherLoad)} / {Percent(r.MaxOtherLoad)} | {r.Check} |");
        }
        output.WriteLine();
        output.WriteLine("Kiln/TorchSharp is the ratio of the figures (GFLOP/s: higher is better; ms and µs/op: lower is better);");
        output.WriteLine("\"Kiln speed\" is TorchSharp's time over Kiln's. Both are medians of per-round ratios. Round spread: slowest");
        output.WriteLine("over fastest round. Other load: the share of the machine other processes used during the kept");
        output.WriteLine("measurements (median and largest). ORT: ONNX Runtime 1.31.1 on the model bench/onnx/export_models.py wrote");
        output.WriteLine("(same shapes, PyTorch's random weights, timed after the Kiln/TorchSharp pair of each round; — where there is none);");
        output.WriteLine("Kiln/ORT is the median of per-round ratios of the figures.");
        foreach (WorkloadResult r in results.Where(r => r.Check.Failure is not null))
            output.WriteLine($"{r.Workload.Name}: Kiln failed: {r.Check.Failure}");
    }

    /// <summary>Writes one CSV row per workload, framework and round.</summary>
    public static void WriteCsv(string path, IReadOnlyList<WorkloadResult> results)
    {
        var lines = new List<string> { "workload,framework,round,median_s,min_s,other_load,page_faults_per_call,figure,unit" };
        foreach (WorkloadResult r in results)
        {
            foreach ((string framework, IReadOnlyList<Measurement> rounds) in new[] { ("kiln", r.Kiln), ("torchsharp", r.TorchSharp), ("ort", r.Ort) })
            {
                for (int i = 0; i < rounds.Count; i++)
                {
                    Measurement m = rounds[i];
                    lines.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Workload.Name},{framework},{i + 1},{m.MedianSeconds:E6},{m.MinSeconds:E6},{m.OtherLoad:F3},{m.PageFaultsPerCall:F1},{r.Workload.Metric.FromSeconds(m.MedianSeconds):G6},{r.Workload.Metric.Unit}"));
                }
            }
        }
        File.WriteAllLines(path, lines);
    }

    // Three significant digits for figures in the usual ranges.
    private static string Figure(double value) => double.IsNaN(value) ? "—" : value.ToString(
        Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.0" : Math.Abs(value) >= 1 ? "0.00" : "0.000", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => double.IsNaN(ratio) ? "—" : ratio.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Speed(double speedUp) => double.IsNaN(speedUp) ? "—"
        : speedUp >= 1 ? $"{speedUp.ToString("0.00", CultureInfo.InvariantCulture)}× faster"
        : $"{(1 / speedUp).ToString("0.00", CultureInfo.InvariantCulture)}× slower";

    private static string Percent(double share) => double.IsNaN(share) ? "n/a" : share.ToString("0%", CultureInfo.InvariantCulture);
}
