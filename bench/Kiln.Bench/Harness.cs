using System.Diagnostics;

namespace Kiln.Bench;

/// <summary>The time of one call, taken as the median over repetitions; the other processes' CPU share meanwhile;
/// the minor page faults per call (NaN where unknown).</summary>
internal readonly record struct Measurement(double MedianSeconds, double MinSeconds, double OtherLoad, double PageFaultsPerCall);

/// <summary>Times a call: warm-up, inner-loop sizing, repetitions, median.</summary>
internal sealed class Harness(HarnessSettings settings)
{
    /// <summary>Measures <paramref name="call"/>; the result is per call.</summary>
    public Measurement Measure(Action call)
    {
        // Start from a clean heap so that garbage left by the previous measurement (possibly of the other
        // framework) is not collected on this one's clock.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        double estimate = WarmUp(call);
        int inner = Math.Max(1, (int)Math.Round(settings.RepetitionSeconds / estimate));
        var perCall = new double[settings.Repetitions];
        var load = CpuLoadMonitor.Start();
        long faults = PageFaults.Minor();
        for (int r = 0; r < perCall.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < inner; k++) call();
            perCall[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
        }
        double faultsPerCall = faults < 0 ? double.NaN : (PageFaults.Minor() - faults) / ((double)inner * perCall.Length);
        return new Measurement(Stats.Median(perCall), perCall.Min(), load.OtherProcessesShare(), faultsPerCall);
    }

    /// <summary>Runs <paramref name="call"/> untimed for the settling time, so that the JIT's tiers settle before any round.</summary>
    public void Settle(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < settings.SettleSeconds) call();
    }

    // Runs the call until both the time and the call-count minimum are reached (JIT tiers, thread pools and
    // caches settle); returns the mean time of the calls after the first.
    private double WarmUp(Action call)
    {
        call();
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < settings.MinWarmupCalls || Stopwatch.GetElapsedTime(start).TotalSeconds < settings.WarmupSeconds)
        {
            call();
            calls++;
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
    }
}
