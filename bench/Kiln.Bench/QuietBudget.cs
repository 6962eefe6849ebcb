namespace Kiln.Bench;

/// <summary>The time a run may spend, in all, waiting for other processes to quiet down; bounding it keeps a run
/// on a busy machine to a few minutes (its figures then show the load they were taken under).</summary>
internal sealed class QuietBudget(double seconds)
{
    /// <summary>The share of the machine other processes may use for it to count as quiet.</summary>
    public const double Threshold = 0.10;

    private double remaining = seconds;

    /// <summary>True when no waiting time is left.</summary>
    public bool Exhausted => remaining <= 0;

    /// <summary>Waits, within what is left of the budget, until the machine is quiet; returns a line for the log.</summary>
    public string Wait()
    {
        if (Exhausted) return "no time left to wait for a quiet machine";
        (double waited, double share) = CpuLoadMonitor.WaitForQuiet(remaining, Threshold);
        remaining -= waited;
        string state = share < Threshold ? "quiet" : "still BUSY";
        return $"machine {state} after {waited:0.0} s (other load {share * 100:0}%; {Math.Max(remaining, 0):0} s of waiting left)";
    }
}
