namespace Kiln.Bench;

/// <summary>How one measurement is timed: warm-up, then <see cref="Repetitions"/> timed repetitions of
/// an inner loop sized so that one repetition lasts about <see cref="RepetitionSeconds"/>. Before the first round every
/// side of every workload first runs for <see cref="SettleSeconds"/>, untimed.</summary>
internal sealed record HarnessSettings(double WarmupSeconds, int MinWarmupCalls, double RepetitionSeconds, int Repetitions, double SettleSeconds)
{
    /// <summary>
    /// The default: 2 s of settling per side (tiered JIT with dynamic PGO took 6–8 s of one eager LeNet training step
    /// to reach its steady time, and the workloads share most of their kernels), then 0.3 s of warm-up per measurement
    /// for thread pools and caches, 9 repetitions of ~40 ms.
    /// </summary>
    public static HarnessSettings Standard { get; } = new(WarmupSeconds: 0.3, MinWarmupCalls: 5, RepetitionSeconds: 0.04, Repetitions: 9, SettleSeconds: 2);

    /// <summary>A smoke test: figures are indicative only. The warm-up still outlasts the JIT's 100 ms tier-up delay.</summary>
    public static HarnessSettings Quick { get; } = new(WarmupSeconds: 0.2, MinWarmupCalls: 3, RepetitionSeconds: 0.01, Repetitions: 3, SettleSeconds: 0);
}
