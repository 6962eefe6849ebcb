namespace Kiln.Bench;

/// <summary>How one measurement is timed: warm-up, then <see cref="Repetitions"/> timed repetitions of
/// an inner loop sized so that one repetition lasts about <see cref="RepetitionSeconds"/>.</summary>
internal sealed record HarnessSettings(double WarmupSeconds, int MinWarmupCalls, double RepetitionSeconds, int Repetitions)
{
    /// <summary>The default: enough warm-up for tiered JIT and thread pools, 9 repetitions of ~40 ms.</summary>
    public static HarnessSettings Standard { get; } = new(WarmupSeconds: 0.3, MinWarmupCalls: 5, RepetitionSeconds: 0.04, Repetitions: 9);

    /// <summary>A smoke test: figures are indicative only. The warm-up still outlasts the JIT's 100 ms tier-up delay.</summary>
    public static HarnessSettings Quick { get; } = new(WarmupSeconds: 0.2, MinWarmupCalls: 3, RepetitionSeconds: 0.01, Repetitions: 3);
}
