using Kiln.NN;
using Kiln.Optim;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

public class ReadmeExampleTests
{
    [Fact]
    public void Readme_example_trains_one_step_and_saves_the_weights()
    {
        Kiln.Random.ManualSeed(0);
        var net = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
        var opt = new Adam(net.Parameters(), lr: 1e-3);
        Tensor x = Tensor.Randn(64, 784), y = Tensor.Randint(0, 10, 64);

        var loss = F.CrossEntropy(net.Forward(x), y);
        opt.ZeroGrad();
        loss.Backward();
        opt.Step();
        // Other tests draw from the default generator in parallel, so the exact values vary: the untrained loss of
        // 10 classes is about ln 10, printed as torch prints a 0-d float.
        Assert.Matches(@"^tensor\(2\.\d{4}\)$", loss.ToString());
        Assert.InRange(loss.Item<float>(), 2.0f, 2.6f);
        Assert.True(F.CrossEntropy(net.Forward(x), y).Item<float>() < loss.Item<float>(), "one Adam step should lower the loss on the same batch");

        var path = Path.Combine(Path.GetTempPath(), $"kiln-readme-{Guid.NewGuid():N}.safetensors");
        try
        {
            net.SaveSafetensors(path);
            var copy = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
            copy.LoadSafetensors(path);
            Assert.Equal(net.Forward(x).ToArray<float>(), copy.Forward(x).ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
