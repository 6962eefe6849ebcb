namespace Kiln.Bench;

/// <summary>Runs the workloads through both frameworks in interleaved rounds, and through ONNX Runtime where it has a model.</summary>
/// <remarks>Each round measures every workload once per framework, back to back, alternating which framework
/// goes first; rounds are spread over the whole run, so a burst of outside load hits one round of several
/// workloads rather than every round of one, and the median over rounds discards it. A pair measured while other
/// processes were busy is measured again after waiting for quiet (at most <see cref="MaxRetries"/> times, within
/// the run's <see cref="QuietBudget"/>), and the attempt with the least outside load is kept. ONNX Runtime's
/// measurement of a round follows the kept pair.</remarks>
internal static class Runner
{
    private const int MaxRetries = 2;

    private sealed record Prepared(Workload Workload, Side Kiln, Side TorchSharp, Side? Ort, CrossCheck Check)
    {
        public bool KilnRuns => Check.Failure is null;
        public List<Measurement> KilnRounds { get; } = [];
        public List<Measurement> TorchSharpRounds { get; } = [];
        public List<Measurement> OrtRounds { get; } = [];
    }

    // One round of one workload: Kiln's measurement (null when Kiln failed the cross-check) and TorchSharp's.
    private readonly record struct Pair(Measurement? Kiln, Measurement TorchSharp)
    {
        public double OtherLoad => Math.Max(Kiln?.OtherLoad ?? 0, TorchSharp.OtherLoad);
    }

    /// <summary>Cross-checks, then measures, every workload (with <paramref name="ort"/>'s side too, where it has one);
    /// progress goes to <paramref name="log"/>.</summary>
    public static IReadOnlyList<WorkloadResult> Run(IReadOnlyList<Workload> workloads, BenchOptions options, OrtSides? ort, TextWriter log)
    {
        var prepared = new List<Prepared>();
        foreach (Workload workload in workloads)
        {
            (Side kiln, Side torchSharp) = workload.Prepare();
            var check = CrossCheck.Compare(kiln, torchSharp, workload.Tolerance);
            log.WriteLine($"check {workload.Name,-18} Kiln vs TorchSharp: {check}{(check.Failure is null ? "" : $" - {check.Failure}")}");
            prepared.Add(new Prepared(workload, kiln, torchSharp, ort?.For(workload.Name), check));
        }

        var harness = new Harness(options.Harness);
        foreach (Prepared p in prepared)
        {
            if (p.KilnRuns) harness.Settle(p.Kiln.Call);
            harness.Settle(p.TorchSharp.Call);
            if (p.Ort is { } side) harness.Settle(side.Call);
        }
        var quiet = new QuietBudget(options.QuietWaitSeconds);
        for (int round = 0; round < options.Rounds; round++)
        {
            if (!quiet.Exhausted) log.WriteLine($"round {round + 1}/{options.Rounds}: {quiet.Wait()}");
            for (int w = 0; w < prepared.Count; w++)
            {
                Prepared p = prepared[w];
                bool kilnFirst = (round + w) % 2 == 0;
                Pair pair = MeasurePair(harness, p, kilnFirst);
                for (int retry = 0; retry < MaxRetries && pair.OtherLoad >= QuietBudget.Threshold && !quiet.Exhausted; retry++)
                {
                    log.WriteLine($"  {p.Workload.Name}: other load {pair.OtherLoad * 100:0}%, measuring again; {quiet.Wait()}");
                    Pair again = MeasurePair(harness, p, kilnFirst);
                    if (again.OtherLoad < pair.OtherLoad) pair = again;
                }
                if (pair.Kiln is { } kiln) p.KilnRounds.Add(kiln);
                p.TorchSharpRounds.Add(pair.TorchSharp);
                Measurement? ortRound = p.Ort is { } side ? harness.Measure(side.Call) : null;
                if (ortRound is { } measured) p.OrtRounds.Add(measured);
                log.WriteLine(Progress(round, options.Rounds, p.Workload, pair, ortRound));
            }
        }
        return [.. prepared.Select(p => new WorkloadResult(p.Workload, p.Check, p.KilnRounds, p.TorchSharpRounds, p.OrtRounds))];
    }

    private static Pair MeasurePair(Harness harness, Prepared p, bool kilnFirst)
    {
        Measurement? kiln = p.KilnRuns && kilnFirst ? harness.Measure(p.Kiln.Call) : null;
        Measurement torchSharp = harness.Measure(p.TorchSharp.Call);
        if (p.KilnRuns && !kilnFirst) kiln = harness.Measure(p.Kiln.Call);
        return new Pair(kiln, torchSharp);
    }

    private static string Progress(int round, int rounds, Workload workload, Pair pair, Measurement? ort)
    {
        Metric metric = workload.Metric;
        string kiln = pair.Kiln is { } k ? $"{metric.FromSeconds(k.MedianSeconds),10:0.###}" : "    failed";
        string faults = $"{pair.Kiln?.PageFaultsPerCall ?? double.NaN:0} / {pair.TorchSharp.PageFaultsPerCall:0}";
        string onnx = ort is { } o ? $"  ORT {metric.FromSeconds(o.MedianSeconds),10:0.###}" : "";
        return $"round {round + 1}/{rounds} {workload.Name,-18} Kiln {kiln}  TorchSharp {metric.FromSeconds(pair.TorchSharp.MedianSeconds),10:0.###}{onnx} {metric.Unit,-8}" +
            $" other load {pair.OtherLoad * 100,3:0}%  page faults/call {faults}";
    }
}
