using System.Diagnostics;

namespace Kiln.Cli.Bench;

/// <summary>Times a module's forward pass without autograd: untimed warm-up runs, then each timed run on its own.</summary>
internal static class BenchRunner
{
    /// <summary>
    /// Runs <paramref name="module"/> on <paramref name="inputs"/> untimed: once to check that a stored graph takes
    /// them, then <paramref name="warmup"/> more times.
    /// </summary>
    /// <exception cref="ArgumentException">No stored graph takes <paramref name="inputs"/> in the module's current modes.</exception>
    internal static void WarmUp(ScriptModule module, Tensor[] inputs, int warmup)
    {
        ArgumentNullException.ThrowIfNull(module);
        var args = inputs.ToArray<object?>();
        using (Autograd.NoGrad())
        {
            for (int i = 0; i <= warmup; i++) module.Run(args);
        }
    }

    /// <summary>
    /// Runs <paramref name="module"/> on <paramref name="inputs"/> <paramref name="iterations"/> times, calling
    /// <paramref name="onRun"/> after each run (outside the timing); returns each run's latency in milliseconds.
    /// </summary>
    internal static double[] Measure(ScriptModule module, Tensor[] inputs, int iterations, Action? onRun = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var args = inputs.ToArray<object?>();
        var latencies = new double[iterations];
        using (Autograd.NoGrad())
        {
            for (int i = 0; i < iterations; i++)
            {
                long start = Stopwatch.GetTimestamp();
                module.Run(args);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                onRun?.Invoke();
            }
        }
        return latencies;
    }

    /// <summary>Seeded standard-normal float32 inputs of <paramref name="shapes"/>, the same for the same seed.</summary>
    internal static Tensor[] RandomInputs(IEnumerable<long[]> shapes, long seed)
    {
        var generator = new Generator(seed);
        return [.. shapes.Select(shape => Tensor.Randn(shape, DType.Float32, generator: generator))];
    }
}
