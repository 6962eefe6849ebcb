namespace Kiln.Bench;

/// <summary>All rounds of one workload. Figures are medians over rounds of each round's median; the ratio and
/// the speed-up are medians of per-round ratios, since the two measurements of a round ran back to back.
/// <see cref="Kiln"/> is empty when Kiln failed the cross-check by throwing; its figures are then NaN. <see cref="Ort"/>
/// (ONNX Runtime) is empty when the workload has no ONNX model or the models were not exported.</summary>
internal sealed record WorkloadResult(Workload Workload, CrossCheck Check, IReadOnlyList<Measurement> Kiln, IReadOnlyList<Measurement> TorchSharp,
    IReadOnlyList<Measurement> Ort)
{
    /// <summary>Kiln's figure in the workload's unit.</summary>
    public double KilnFigure => MedianOrNaN(Kiln.Select(m => Figure(m)));

    /// <summary>TorchSharp's figure in the workload's unit.</summary>
    public double TorchSharpFigure => MedianOrNaN(TorchSharp.Select(m => Figure(m)));

    /// <summary>ONNX Runtime's figure in the workload's unit (NaN without an ONNX Runtime side).</summary>
    public double OrtFigure => MedianOrNaN(Ort.Select(m => Figure(m)));

    /// <summary>Kiln's figure divided by ONNX Runtime's, per round, median (NaN without an ONNX Runtime side).</summary>
    public double OrtRatio => MedianOrNaN(Kiln.Zip(Ort, (k, o) => Figure(k) / Figure(o)));

    /// <summary>Kiln's figure divided by TorchSharp's, per round, median.</summary>
    public double Ratio => MedianOrNaN(Kiln.Zip(TorchSharp, (k, t) => Figure(k) / Figure(t)));

    /// <summary>TorchSharp's time over Kiln's, per round, median: above 1 Kiln is faster.</summary>
    public double SpeedUp => MedianOrNaN(Kiln.Zip(TorchSharp, (k, t) => t.MedianSeconds / k.MedianSeconds));

    /// <summary>The median share of the machine that other processes used during these measurements.</summary>
    public double MedianOtherLoad => Stats.Median(Kiln.Concat(TorchSharp).Select(m => m.OtherLoad));

    /// <summary>The largest share of the machine that other processes used during any of these measurements.</summary>
    public double MaxOtherLoad => Kiln.Concat(TorchSharp).Max(m => m.OtherLoad);

    /// <summary>Largest over smallest per-round median time, minus one: how much the rounds disagree.</summary>
    public static double Spread(IReadOnlyList<Measurement> rounds) =>
        rounds.Count == 0 ? double.NaN : (rounds.Max(m => m.MedianSeconds) / rounds.Min(m => m.MedianSeconds)) - 1;

    private double Figure(Measurement m) => Workload.Metric.FromSeconds(m.MedianSeconds);

    private static double MedianOrNaN(IEnumerable<double> values)
    {
        double[] all = [.. values];
        return all.Length == 0 ? double.NaN : Stats.Median(all);
    }
}
