using Kiln.NN;
using Kiln.Optim;
using KilnF = Kiln.NN.Functional;

namespace Kiln.Bench;

/// <summary>The Kiln side of the training workloads, written as a Kiln user would write it: eager autograd,
/// <c>Kiln.NN</c> layers, <c>Kiln.Optim</c> optimisers.</summary>
internal static class KilnTraining
{
    /// <summary>A freshly initialised model (from Kiln's global generator); layer names match <see cref="TorchSharpTraining.Model"/>.</summary>
    public static Sequential Model(ModelKind kind) => kind switch
    {
        ModelKind.Mlp => new Sequential(
            ("fc1", new Linear(784, 512)), ("r1", new ReLU()),
            ("fc2", new Linear(512, 512)), ("r2", new ReLU()),
            ("fc3", new Linear(512, 10))),
        ModelKind.LeNet => new Sequential(
            ("c1", new Conv2d(1, 6, 5, padding: 2)), ("r1", new ReLU()), ("p1", new MaxPool2d(2)),
            ("c2", new Conv2d(6, 16, 5)), ("r2", new ReLU()), ("p2", new MaxPool2d(2)),
            ("fl", new Flatten()),
            ("f1", new Linear(400, 120)), ("r3", new ReLU()),
            ("f2", new Linear(120, 84)), ("r4", new ReLU()),
            ("f3", new Linear(84, 10))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown model"),
    };

    /// <summary>The name of the model's last layer, the one whose gradients the cross-check compares.</summary>
    public static string OutputLayer(ModelKind kind) => kind == ModelKind.Mlp ? "fc3" : "f3";

    /// <summary>One training step of <paramref name="model"/> per call; the output is the first step's loss, the gradients
    /// of the parameters named <paramref name="outputLayer"/>.* (in ordinal name order), then the second step's loss.
    /// <paramref name="forward"/>, when given, runs the forward pass instead of the model's own (a script module of it).</summary>
    public static Side Step(Sequential model, OptimizerKind kind, float[] x, long[] inputShape, long[] labels, string outputLayer,
        Func<Tensor, Tensor>? forward = null)
    {
        forward ??= model.Forward;
        Tensor input = Tensor.FromArray(x, inputShape), target = Tensor.FromArray(labels, labels.Length);
        Optimizer optimizer = kind switch
        {
            OptimizerKind.Sgd => new SGD(model.Parameters(), lr: 0.01, momentum: 0.9),
            OptimizerKind.Adam => new Adam(model.Parameters(), lr: 1e-3),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
        };
        Tensor TrainStep()
        {
            model.ZeroGrad();
            Tensor loss = KilnF.CrossEntropy(forward(input), target);
            loss.Backward();
            optimizer.Step();
            return loss;
        }
        float[] Output()
        {
            float first = TrainStep().Item<float>();
            float[] gradients = [.. model.NamedParameters()
                .Where(p => p.Name.StartsWith(outputLayer + ".", StringComparison.Ordinal))
                .OrderBy(p => p.Name, StringComparer.Ordinal).SelectMany(p => p.Parameter.Grad!.ToArray<float>())];
            return [first, .. gradients, TrainStep().Item<float>()];
        }
        return new(() => TrainStep(), Output);
    }

    /// <summary>The LSTM's output sequence for a sequence-first input, without recording gradients.</summary>
    public static Side LstmForward(LSTM lstm, float[] x, long[] inputShape)
    {
        lstm.Eval();
        Tensor input = Tensor.FromArray(x, inputShape);
        Tensor Compute()
        {
            using var noGrad = Autograd.NoGrad();
            return lstm.Forward(input).Output;
        }
        return new(() => Compute(), () => Compute().ToArray<float>());
    }
}
