using System.Text.RegularExpressions;
using Kiln.Cli.Demo;
using Spectre.Console;

namespace Kiln.Cli.Tests;

[Collection(DefaultGeneratorCollection.Name)]
public class DemoTests
{
    [Fact]
    public void Demo_trains_the_digits_CNN_to_at_least_95_percent_and_the_loaded_kiln_file_scores_the_same()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        var before = TemporaryDemoFiles();
        var result = DemoCommand.Run(console, epochs: 15, seed: 0);
        Assert.True(result.EagerAccuracy >= 0.95, $"held-out accuracy {result.EagerAccuracy:P1} is below 95%");
        Assert.Equal(result.EagerAccuracy, result.LoadedAccuracy);
        var text = Regex.Replace(output.ToString(), @"\s+", " ");
        Assert.Contains("Held-out test accuracy", text, StringComparison.Ordinal);
        Assert.Contains("epoch 15/15 loss ", text, StringComparison.Ordinal);
        Assert.Contains("saved to a temporary .kiln file (", text, StringComparison.Ordinal);
        Assert.Contains("KiB, deleted afterwards) and loaded back", text, StringComparison.Ordinal);
        Assert.Contains("same as eager", text, StringComparison.Ordinal);
        // Without --save, the file is deleted afterwards.
        Assert.Equal(before, TemporaryDemoFiles());
    }

    [Fact]
    public void Demo_with_save_keeps_a_kiln_file_that_runs_without_the_model_class()
    {
        string folder = Directory.CreateTempSubdirectory("kiln-demo-save-").FullName;
        try
        {
            string path = Path.Combine(folder, "digits.kiln");
            var run = KilnProcess.Run("demo", "--epochs", "1", "--save", path);
            Assert.Equal("", run.Stderr);
            Assert.Equal(0, run.ExitCode);
            // Spectre.Console wraps redirected output at 80 columns.
            string stdout = Regex.Replace(run.Stdout, @"\s+", " ");
            Assert.Contains($"saved to {path} (", stdout, StringComparison.Ordinal);
            Assert.Contains("same as eager", stdout, StringComparison.Ordinal);
            var loaded = ScriptModule.Load(path);
            Assert.DoesNotContain(loaded.Modules(), m => m is DigitsNet);
            Assert.False(loaded.Training);
            // Script graphs have concrete shapes: the file runs batches of the held-out set's size.
            long held = new DigitsTraining(seed: 0).TestCount;
            Assert.Equal([held, 10], loaded.Forward(DigitsData.Load().Images.Narrow(0, 0, held)).Shape);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Demo_with_an_unwritable_save_path_is_one_error_line()
    {
        var run = KilnProcess.Run("demo", "--epochs", "1", "--save", Path.Combine(Path.GetTempPath(), $"kiln-no-such-folder-{Guid.NewGuid():N}", "x.kiln"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("kiln demo: error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("kiln-no-such-folder-", run.Stderr, StringComparison.Ordinal);
    }

    private static string[] TemporaryDemoFiles() => [.. Directory.GetFiles(Path.GetTempPath(), "kiln-demo-*.kiln").Order(StringComparer.Ordinal)];

    [Fact]
    public void The_digits_data_set_is_embedded_whole()
    {
        var (images, labels) = DigitsData.Load();
        Assert.Equal([1797L, 1, 8, 8], images.Shape);
        Assert.Equal([1797L], labels.Shape);
        Assert.InRange(images.Max().Item<float>(), 0.99f, 1f);
        Assert.Equal(10, labels.ToArray<long>().Distinct().Count());
    }

    [Fact]
    public void Training_is_reproducible_for_a_seed()
    {
        var a = new DigitsTraining(seed: 3).RunEpoch(1);
        var b = new DigitsTraining(seed: 3).RunEpoch(1);
        Assert.Equal(a, b);
    }
}
