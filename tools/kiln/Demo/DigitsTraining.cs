using Kiln.Data;
using Kiln.Optim;
using F = Kiln.NN.Functional;

namespace Kiln.Cli.Demo;

/// <summary>How one epoch went.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Fraction of training samples classified correctly during the epoch.</param>
/// <param name="TestAccuracy">Fraction of held-out samples classified correctly after the epoch.</param>
internal sealed record EpochReport(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy);

/// <summary>Trains <see cref="DigitsNet"/> on 80% of the digits with Adam and measures accuracy on the other 20%.</summary>
internal sealed class DigitsTraining
{
    private readonly DigitsNet net;
    private readonly Adam optimizer;
    private readonly DataLoader<Tensor[], Tensor[]> train;
    private readonly Tensor testImages, testLabels;

    /// <summary>Prepares the data split and the model from <paramref name="seed"/>.</summary>
    internal DigitsTraining(int seed = 0, int batchSize = 32)
    {
        Kiln.Random.ManualSeed(seed);
        var (images, labels) = DigitsData.Load();
        var split = Dataset.RandomSplit(new TensorDataset(images, labels), [0.8, 0.2], new Generator(seed));
        var test = DataLoader.Create(split[1], batchSize: (int)split[1].Count).Single();
        (testImages, testLabels) = (test[0], test[1]);
        train = DataLoader.Create(split[0], batchSize: batchSize, shuffle: true, generator: new Generator(seed + 1));
        TrainCount = split[0].Count;
        net = new DigitsNet();
        optimizer = new Adam(net.Parameters(), lr: 3e-3);
    }

    /// <summary>The number of training samples.</summary>
    internal long TrainCount { get; }

    /// <summary>The number of held-out samples.</summary>
    internal long TestCount => testLabels.Numel;

    /// <summary>The number of batches per epoch.</summary>
    internal long BatchesPerEpoch => train.Count;

    /// <summary>Runs one epoch, calling <paramref name="onBatch"/> after each batch with the running mean loss.</summary>
    internal EpochReport RunEpoch(int epoch, Action<double>? onBatch = null)
    {
        net.Train();
        double lossSum = 0;
        long correct = 0, seen = 0;
        foreach (var batch in train)
        {
            var (x, y) = (batch[0], batch[1]);
            var logits = net.Forward(x);
            var loss = F.CrossEntropy(logits, y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            long n = y.Numel;
            lossSum += loss.Item<float>() * n;
            correct += logits.Detach().Argmax(1).Eq(y).Sum().Item<long>();
            seen += n;
            onBatch?.Invoke(lossSum / seen);
        }
        return new EpochReport(epoch, lossSum / seen, (double)correct / seen, TestAccuracy());
    }

    /// <summary>The fraction of held-out samples the model classifies correctly.</summary>
    internal double TestAccuracy()
    {
        net.Eval();
        return TestAccuracy(net.Forward);
    }

    /// <summary>The fraction of held-out samples that <paramref name="forward"/> (images to logits) classifies correctly, run without autograd.</summary>
    internal double TestAccuracy(Func<Tensor, Tensor> forward)
    {
        using (Autograd.NoGrad())
            return forward(testImages).Argmax(1).Eq(testLabels).Sum().Item<long>() / (double)testLabels.Numel;
    }

    /// <summary>
    /// The trained model in evaluation mode compiled by the script frontend, lowered for the held-out batch (script
    /// graphs have concrete shapes, so the saved file runs exactly that batch).
    /// </summary>
    /// <exception cref="ScriptException">The frontend cannot compile <see cref="DigitsNet"/>.</exception>
    internal ScriptModule Script()
    {
        net.Eval();
        return Jit.Script(net, testImages);
    }
}
