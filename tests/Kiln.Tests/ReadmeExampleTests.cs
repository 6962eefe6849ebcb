namespace Kiln.Tests;

/// <summary>The README's example, kept compiling and true.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Readme_example_runs_and_prints_like_torch()
    {
        Kiln.Random.ManualSeed(0);
        var x = Tensor.Randn(64, 784);
        var w = Tensor.Randn(784, 10) * 0.01;
        var logits = (x.Matmul(w) + 0.1).Relu();
        var probs = logits.Softmax(-1);
        var firstTwo = probs[.., 0..2];
        var mean = probs.Sum(1).Mean();
        Assert.Equal(1f, mean.Item<float>(), 1e-6f);
        Assert.Equal(mean.Item<float>() == 1f ? "tensor(1.)" : "tensor(1.0000)", mean.ToString());
        float[] values = firstTwo.ToArray<float>();
        Assert.Equal(128, values.Length);
        Assert.True(firstTwo.SharesStorageWith(probs));
    }
}
