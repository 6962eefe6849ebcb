using Kiln.Cli.Demo;
using Spectre.Console;

namespace Kiln.Cli.Tests;

[Collection(DefaultGeneratorCollection.Name)]
public class DemoTests
{
    [Fact]
    public void Demo_trains_the_digits_CNN_to_at_least_95_percent_held_out_accuracy()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        double accuracy = DemoCommand.Run(console, epochs: 15, seed: 0);
        Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy:P1} is below 95%");
        var text = output.ToString();
        Assert.Contains("Held-out test accuracy", text, StringComparison.Ordinal);
        Assert.Contains("epoch 15/15  loss ", text, StringComparison.Ordinal);
    }

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
