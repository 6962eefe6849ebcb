namespace Kiln.Bench;

/// <summary>Whether Kiln and TorchSharp computed the same thing: a benchmark of a wrong result means nothing.</summary>
/// <param name="Error">max |Kiln - TorchSharp| / max(1, max |TorchSharp|); infinite when the shapes differ.</param>
/// <param name="Passed">Error within the workload's tolerance.</param>
/// <param name="Failure">The exception message when a side threw, else null.</param>
internal sealed record CrossCheck(double Error, bool Passed, string? Failure)
{
    /// <summary>Runs both sides once and compares their outputs.</summary>
    public static CrossCheck Compare(Side kiln, Side torchSharp, double tolerance)
    {
        float[] expected = torchSharp.Output();
        float[] actual;
        try
        {
            actual = kiln.Output();
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or ArgumentException or InvalidOperationException)
        {
            return new CrossCheck(double.PositiveInfinity, false, $"{e.GetType().Name}: {e.Message}");
        }
        if (actual.Length != expected.Length) return new CrossCheck(double.PositiveInfinity, false, $"Kiln gave {actual.Length} values, TorchSharp {expected.Length}");

        double scale = 1, error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double difference = Math.Abs((double)actual[i] - expected[i]);
            error = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(error, difference);
        }
        error /= scale;
        return new CrossCheck(error, error <= tolerance, null);
    }

    /// <summary>What the table shows.</summary>
    public override string ToString() => Failure is not null ? "FAILED" : Passed ? $"ok ({Error:0.0e+0})" : $"MISMATCH ({Error:0.0e+0})";
}
