using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Kiln.Cli.Demo;
using Kiln.Serialization;
using Spectre.Console;

namespace Kiln.Cli;

/// <summary>The demo's outcome: the trained model's held-out accuracy, eager and after a save/load round trip.</summary>
/// <param name="EagerAccuracy">The eager model's held-out accuracy after the last epoch.</param>
/// <param name="LoadedAccuracy">The scripted, saved and loaded module's held-out accuracy.</param>
internal sealed record DemoResult(double EagerAccuracy, double LoadedAccuracy);

/// <summary>
/// <c>kiln demo</c>: trains a small CNN on the handwritten-digits set, reports its held-out accuracy, then scripts it,
/// saves it as a <c>.kiln</c> file, loads that and reports the loaded module's accuracy, which must be the same.
/// </summary>
internal static class DemoCommand
{
    internal static Command Create()
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 15 };
        var seed = new Option<int>("--seed") { Description = "Seed for the data split, the initial weights and shuffling", DefaultValueFactory = _ => 0 };
        var save = new Option<string?>("--save")
        {
            Description = "Keep the scripted model's .kiln file at this path (default: a temporary file, deleted afterwards)",
        };
        var command = new Command("demo", "Train a small CNN on 1,797 handwritten 8×8 digits (80% train, 20% held out), print its test accuracy, " +
            "then script it, save it as .kiln, load it back and check the loaded model's accuracy is the same")
        {
            epochs, seed, save,
        };
        command.SetAction(result =>
        {
            int n = result.GetValue(epochs);
            if (n <= 0)
            {
                Console.Error.WriteLine($"kiln demo: --epochs must be positive, got {n}");
                return 2;
            }
            try
            {
                var outcome = Run(AnsiConsole.Console, n, result.GetValue(seed), result.GetValue(save));
                if (outcome.LoadedAccuracy == outcome.EagerAccuracy) return 0;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"kiln demo: error: the loaded model's held-out accuracy {outcome.LoadedAccuracy:R} differs from the eager model's {outcome.EagerAccuracy:R}"));
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or KilnFormatException or ScriptException)
            {
                Console.Error.WriteLine("kiln demo: error: " + e.Message.ReplaceLineEndings(" "));
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs, showing a progress bar per epoch, then scripts, saves (to
    /// <paramref name="savePath"/>, or a temporary file) and loads the model, and returns both held-out accuracies.
    /// </summary>
    internal static DemoResult Run(IAnsiConsole console, int epochs, int seed, string? savePath = null)
    {
        var clock = Stopwatch.StartNew();
        var training = new DigitsTraining(seed);
        console.MarkupLine($"[bold]Kiln demo[/]: a CNN on handwritten digits — {training.TrainCount} training and {training.TestCount} held-out 8×8 images, Adam, batch 32");
        EpochReport? last = null;
        if (!console.Profile.Capabilities.Interactive)
        {
            // Redirected output (logs, CI): one plain line per epoch instead of redrawn bars.
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                last = training.RunEpoch(epoch);
                console.WriteLine(Describe(epoch, epochs, last.Loss, last));
            }
        }
        else
        {
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    for (int epoch = 1; epoch <= epochs; epoch++)
                    {
                        var task = ctx.AddTask(Describe(epoch, epochs, null, null), maxValue: training.BatchesPerEpoch);
                        last = training.RunEpoch(epoch, loss =>
                        {
                            task.Increment(1);
                            task.Description = Describe(epoch, epochs, loss, null);
                        });
                        task.Description = Describe(epoch, epochs, last.Loss, last);
                    }
                });
        }
        double accuracy = last?.TestAccuracy ?? training.TestAccuracy();
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Held-out test accuracy: [bold]{accuracy * 100:F1}%[/] ({clock.Elapsed.TotalSeconds:F1} s)"));
        var trip = ScriptedRoundTrip.Run(training, savePath);
        string file = savePath is null ? "a temporary .kiln file" : Markup.Escape(savePath);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Scripted, saved to {file} ({trip.FileBytes / 1024.0:F1} KiB{(savePath is null ? ", deleted afterwards" : "")}) and loaded back: held-out test accuracy [bold]{trip.LoadedAccuracy * 100:F1}%[/] " +
            $"({(trip.LoadedAccuracy == accuracy ? "same as eager" : "[red]differs from eager[/]")}, {trip.Elapsed.TotalSeconds:F1} s)"));
        return new DemoResult(accuracy, trip.LoadedAccuracy);
    }

    private static string Describe(int epoch, int epochs, double? loss, EpochReport? report) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch,2}/{epochs}{(loss is { } l ? $"  loss {l:F3}" : "")}{(report is null ? "" : $"  train acc {report.TrainAccuracy * 100:F1}%  test acc {report.TestAccuracy * 100:F1}%")}");
}
