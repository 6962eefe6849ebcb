using System.CommandLine;
using System.Globalization;
using Kiln.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Bench;

/// <summary>
/// <c>kiln bench net.kiln --shape 64x1x8x8 [--shape ...] [--warmup N] [--iterations N] [--eval] [--seed S]</c>: loads a
/// saved script module, runs it on seeded random float32 inputs without autograd, and prints the latency (min, mean,
/// nearest-rank p50/p90/p99, max) and the throughput. Errors are one line on standard error, with exit code 1.
/// </summary>
internal static class BenchCommand
{
    /// <summary>The command.</summary>
    internal static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The .kiln file to time (written by ScriptModule.Save)" };
        var shapes = new Option<string[]>("--shape", "-s")
        {
            Description = "The shape of each input of Forward, in order, as dims separated by x (64x1x8x8; repeat the option); " +
                "dim 0 of the first is the batch size for samples/s",
            Required = true,
        };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before timing (after one untimed run that checks the inputs)", DefaultValueFactory = _ => 10 };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs", DefaultValueFactory = _ => 100 };
        var eval = new Option<bool>("--eval") { Description = "Run in evaluation mode (Module.Eval) instead of the training flags saved in the file" };
        var seed = new Option<long>("--seed") { Description = "Seed for the random inputs", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Time a saved .kiln model on random inputs: latency p50/p90/p99 (nearest rank) and throughput")
        {
            model, shapes, warmup, iterations, eval, seed,
        };
        command.SetAction(result => Run(AnsiConsole.Console, Console.Out, new BenchSettings(
            result.GetRequiredValue(model), result.GetRequiredValue(shapes), result.GetValue(warmup), result.GetValue(iterations),
            result.GetValue(eval), result.GetValue(seed))));
        return command;
    }

    /// <summary>
    /// Runs the benchmark <paramref name="settings"/> describe, showing progress on <paramref name="console"/> when it
    /// is interactive and writing the results to <paramref name="output"/> (plain lines, not wrapped); the exit code.
    /// </summary>
    internal static int Run(IAnsiConsole console, TextWriter output, BenchSettings settings)
    {
        try
        {
            var dims = settings.Validate();
            var module = ScriptModule.Load(settings.ModelPath);
            if (settings.Eval) module.Eval();
            var inputs = BenchRunner.RandomInputs(dims, settings.Seed);
            // Before anything is printed, so that inputs no stored graph takes give just the error line.
            BenchRunner.WarmUp(module, inputs, settings.Warmup);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kiln bench {settings.ModelPath}: inputs {string.Join(", ", dims.Select(InputShapes.Describe))}; {settings.Warmup} warm-up and {settings.Iterations} timed runs, no autograd"));
            output.Flush();
            var summary = LatencySummary.Of(Time(console, module, inputs, settings.Iterations));
            Report(output, summary, dims[0][0]);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KilnFormatException or FormatException
                                      or ArgumentException or ScriptException)
        {
            Console.Error.WriteLine("kiln bench: error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    private static double[] Time(IAnsiConsole console, ScriptModule module, Tensor[] inputs, int iterations)
    {
        // Redirected output (logs, CI): no redrawn bar.
        if (!console.Profile.Capabilities.Interactive) return BenchRunner.Measure(module, inputs, iterations);
        double[] latencies = [];
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("timing", maxValue: iterations);
                latencies = BenchRunner.Measure(module, inputs, iterations, () => task.Increment(1));
            });
        return latencies;
    }

    private static void Report(TextWriter output, LatencySummary s, long batch)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency (ms): min {s.MinMs:F3}  mean {s.MeanMs:F3}  p50 {s.P50Ms:F3}  p90 {s.P90Ms:F3}  p99 {s.P99Ms:F3}  max {s.MaxMs:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput: {s.RunsPerSecond:F1} runs/s, {s.RunsPerSecond * batch:F1} samples/s (batch {batch}, dim 0 of the first input)"));
    }
}
