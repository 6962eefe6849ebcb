using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Kiln.Cli.Demo;
using Spectre.Console;

namespace Kiln.Cli;

/// <summary><c>kiln demo</c>: trains a small CNN on the handwritten-digits set and reports its held-out accuracy.</summary>
internal static class DemoCommand
{
    internal static Command Create()
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 15 };
        var seed = new Option<int>("--seed") { Description = "Seed for the data split, the initial weights and shuffling", DefaultValueFactory = _ => 0 };
        var command = new Command("demo", "Train a small CNN on 1,797 handwritten 8×8 digits (80% train, 20% held out) and print its test accuracy")
        {
            epochs, seed,
        };
        command.SetAction(result =>
        {
            int n = result.GetValue(epochs);
            if (n <= 0)
            {
                Console.Error.WriteLine($"kiln demo: --epochs must be positive, got {n}");
                return 2;
            }
            Run(AnsiConsole.Console, n, result.GetValue(seed));
            return 0;
        });
        return command;
    }

    /// <summary>Trains for <paramref name="epochs"/> epochs, showing a progress bar per epoch, and returns the final test accuracy.</summary>
    internal static double Run(IAnsiConsole console, int epochs, int seed)
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
        return accuracy;
    }

    private static string Describe(int epoch, int epochs, double? loss, EpochReport? report) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch,2}/{epochs}{(loss is { } l ? $"  loss {l:F3}" : "")}{(report is null ? "" : $"  train acc {report.TrainAccuracy * 100:F1}%  test acc {report.TestAccuracy * 100:F1}%")}");
}
