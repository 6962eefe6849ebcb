namespace Kiln.Bench;

/// <summary>One framework's implementation of a workload: the call that is timed, and one call's output
/// (flattened to float) for the cross-check between frameworks.</summary>
internal sealed record Side(Action Call, Func<float[]> Output);

/// <summary>How the time of one call becomes the figure that is reported.</summary>
internal sealed record Metric(string Unit, bool HigherIsBetter, Func<double, double> FromSeconds)
{
    /// <summary>Throughput of a call that performs <paramref name="flopsPerCall"/> floating-point operations.</summary>
    public static Metric Gflops(double flopsPerCall) => new("GFLOP/s", true, seconds => flopsPerCall / seconds / 1e9);

    /// <summary>Milliseconds per call.</summary>
    public static Metric Milliseconds { get; } = new("ms", false, seconds => seconds * 1e3);

    /// <summary>Microseconds per op, for a call that runs <paramref name="opsPerCall"/> ops.</summary>
    public static Metric MicrosecondsPerOp(int opsPerCall) => new("µs/op", false, seconds => seconds * 1e6 / opsPerCall);
}

/// <summary>A benchmark workload, run the same way through Kiln and TorchSharp.</summary>
/// <param name="Name">Short name, used by --only and in the table.</param>
/// <param name="Description">What the workload computes.</param>
/// <param name="Metric">The reported figure.</param>
/// <param name="Tolerance">Largest allowed |Kiln - TorchSharp| over the outputs, relative to max(1, max |TorchSharp|).</param>
/// <param name="Prepare">Makes the inputs (shared by both frameworks) and returns the two sides.</param>
internal sealed record Workload(string Name, string Description, Metric Metric, double Tolerance, Func<(Side Kiln, Side TorchSharp)> Prepare);
