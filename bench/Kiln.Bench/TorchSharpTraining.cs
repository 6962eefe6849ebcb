using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using TsF = TorchSharp.torch.nn.functional;
using TsModule = TorchSharp.torch.nn.Module;

namespace Kiln.Bench;

/// <summary>
/// The TorchSharp side of the training workloads, written as the peers' TorchSharp benchmark does
/// (../shared/peers/torchsharp/Program.cs): each step inside a <c>DisposeScope</c>, <c>zero_grad</c> (set to none),
/// forward, <c>cross_entropy</c>, <c>backward</c>, <c>step</c>. Every model starts from the Kiln model's weights.
/// </summary>
internal static class TorchSharpTraining
{
    /// <summary>The model of <paramref name="kind"/>, its parameters copied from <paramref name="weights"/>.</summary>
    public static torch.nn.Module<TorchTensor, TorchTensor> Model(ModelKind kind, NN.Module weights)
    {
        torch.nn.Module<TorchTensor, TorchTensor> model = kind switch
        {
            ModelKind.Mlp => torch.nn.Sequential(
                ("fc1", torch.nn.Linear(784, 512)), ("r1", torch.nn.ReLU()),
                ("fc2", torch.nn.Linear(512, 512)), ("r2", torch.nn.ReLU()),
                ("fc3", torch.nn.Linear(512, 10))),
            ModelKind.LeNet => torch.nn.Sequential(
                ("c1", torch.nn.Conv2d(1, 6, 5, padding: 2)), ("r1", torch.nn.ReLU()), ("p1", torch.nn.MaxPool2d(2)),
                ("c2", torch.nn.Conv2d(6, 16, 5)), ("r2", torch.nn.ReLU()), ("p2", torch.nn.MaxPool2d(2)),
                ("fl", torch.nn.Flatten()),
                ("f1", torch.nn.Linear(400, 120)), ("r3", torch.nn.ReLU()),
                ("f2", torch.nn.Linear(120, 84)), ("r4", torch.nn.ReLU()),
                ("f3", torch.nn.Linear(84, 10))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown model"),
        };
        CopyWeights(weights, model);
        return model;
    }

    /// <summary>One training step of <paramref name="model"/> per call; the output is the first step's loss, the gradients
    /// of the parameters named <paramref name="outputLayer"/>.* (in ordinal name order), then the second step's loss.</summary>
    public static Side Step(torch.nn.Module<TorchTensor, TorchTensor> model, OptimizerKind kind, float[] x, long[] inputShape, long[] labels, string outputLayer)
    {
        TorchTensor input = torch.tensor(x, inputShape), target = torch.tensor(labels);
        torch.optim.Optimizer optimizer = kind switch
        {
            OptimizerKind.Sgd => torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9),
            OptimizerKind.Adam => torch.optim.Adam(model.parameters(), 1e-3),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
        };
        float TrainStep(bool readLoss)
        {
            using var scope = torch.NewDisposeScope();
            model.zero_grad();
            TorchTensor loss = TsF.cross_entropy(model.call(input), target);
            loss.backward();
            optimizer.step();
            return readLoss ? loss.item<float>() : 0;
        }
        float[] Output()
        {
            float first = TrainStep(readLoss: true);
            float[] gradients;
            using (torch.NewDisposeScope())
                gradients = [.. model.named_parameters()
                    .Where(p => p.name.StartsWith(outputLayer + ".", StringComparison.Ordinal))
                    .OrderBy(p => p.name, StringComparer.Ordinal).SelectMany(p => p.parameter.grad!.data<float>().ToArray())];
            return [first, .. gradients, TrainStep(readLoss: true)];
        }
        return new(() => TrainStep(readLoss: false), Output);
    }

    /// <summary>The output sequence of a TorchSharp LSTM with <paramref name="weights"/>' parameters, under <c>no_grad</c>.</summary>
    public static Side LstmForward(NN.LSTM weights, float[] x, long[] inputShape)
    {
        var lstm = torch.nn.LSTM(weights.InputSize, weights.HiddenSize, numLayers: 1);
        CopyWeights(weights, lstm);
        lstm.eval();
        TorchTensor input = torch.tensor(x, inputShape);
        TorchTensor Compute() => lstm.call(input, null).Item1;
        return new(
            () =>
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                Compute();
            },
            () =>
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                return Compute().data<float>().ToArray();
            });
    }

    // Parameters are matched by their dotted names, which both frameworks derive the same way from the layer names.
    internal static void CopyWeights(NN.Module from, TsModule to)
    {
        var targets = to.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in from.NamedParameters())
        {
            if (!targets.Remove(name, out var target))
                throw new InvalidOperationException($"copying weights: Kiln parameter '{name}' has no TorchSharp counterpart (TorchSharp has {string.Join(", ", to.named_parameters().Select(p => p.name))})");
            if (!target.shape.SequenceEqual(parameter.Shape))
                throw new InvalidOperationException($"copying weights: '{name}' is [{string.Join(", ", parameter.Shape)}] in Kiln but [{string.Join(", ", target.shape)}] in TorchSharp");
            target.copy_(torch.tensor(parameter.ToArray<float>(), parameter.Shape));
        }
        if (targets.Count > 0)
            throw new InvalidOperationException($"copying weights: TorchSharp parameters {string.Join(", ", targets.Keys)} have no Kiln counterpart");
    }
}
