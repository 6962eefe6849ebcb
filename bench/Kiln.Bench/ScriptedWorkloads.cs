using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Kiln.Bench;

/// <summary>How the Kiln side of a scripted-model workload runs the model.</summary>
internal enum KilnMode
{
    /// <summary>The module's own Forward, eager.</summary>
    Eager,

    /// <summary>A <see cref="ScriptModule"/> (made by <c>Jit.Trace</c>) running the captured graph as is.</summary>
    Scripted,

    /// <summary>The same after <see cref="ScriptModule.Optimize"/>: O1, elementwise groups fused into LLVM-compiled kernels.</summary>
    Optimized,
}

/// <summary>
/// The model workloads of issue 8 (MLP, LeNet, LSTM and transformer-encoder-layer forwards, an MLP training step), each
/// three times on the Kiln side (eager, scripted, scripted and optimised) against TorchSharp eager. Graphs are made with
/// <c>Jit.Trace</c> (the runtime's own capture; <c>Jit.Script</c> would need the Roslyn frontend in the benchmark).
/// </summary>
internal static class ScriptedWorkloads
{
    private const long Batch = 64;
    private const double Tolerance = 1e-4;

    /// <summary>One forward model: how to make it (seeded), its input shape, and its TorchSharp twin with the same weights.</summary>
    internal sealed record ForwardModel(string Name, string Description, Func<NN.Module> Create, long[] InputShape,
        Func<NN.Module, torch.nn.Module<TorchTensor, TorchTensor>> TorchSharpTwin, Func<NN.Module, Tensor, Tensor> Eager);

    /// <summary>The forward models, in evaluation mode, run with no grad.</summary>
    internal static IReadOnlyList<ForwardModel> Models { get; } =
    [
        new("mlp", "MLP 784-512-512-10 (ReLU) forward at batch 64", () => KilnTraining.Model(ModelKind.Mlp), [Batch, 784],
            m => TorchSharpTraining.Model(ModelKind.Mlp, m), (m, x) => ((NN.Sequential)m).Forward(x)),
        new("lenet", "LeNet-5 forward at batch 64 on 1×28×28", () => KilnTraining.Model(ModelKind.LeNet), [Batch, 1, 28, 28],
            m => TorchSharpTraining.Model(ModelKind.LeNet, m), (m, x) => ((NN.Sequential)m).Forward(x)),
        new("lstm", "LSTM (input 64, hidden 128) forward over seq 32, batch 16 (the output sequence)", () => new NN.LSTM(64, 128), [32, 16, 64],
            TorchSharpLstm, (m, x) => ((NN.LSTM)m).Forward(x).Output),
        new("encoder", "TransformerEncoderLayer (d_model 128, 4 heads, ff 512, ReLU) forward at seq 64, batch 8 (seq first)",
            () => new NN.TransformerEncoderLayer(128, 4, 512), [64, 8, 128], TorchSharpEncoder, (m, x) => ((NN.TransformerEncoderLayer)m).Forward(x)),
    ];

    /// <summary>
    /// Each forward model and the MLP/SGD training step, each as eager, scripted and optimised Kiln; the eager ones
    /// that <see cref="TrainingWorkloads"/> has already (<c>lstm_forward</c>, <c>mlp_sgd_step</c>) are left to it.
    /// </summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        .. Models.SelectMany(m => Enum.GetValues<KilnMode>().Select(mode => Forward(m, mode)))
            .Concat(Enum.GetValues<KilnMode>().Select(TrainingStep))
            .Where(w => TrainingWorkloads.All.All(t => t.Name != w.Name)),
    ];

    /// <summary>The workload's name for <paramref name="mode"/>: <c>mlp_forward</c>, <c>mlp_forward_scripted</c>, <c>mlp_forward_optimized</c>.</summary>
    private static string Named(string name, KilnMode mode) => mode == KilnMode.Eager ? name : $"{name}_{mode.ToString().ToLowerInvariant()}";

    /// <summary>A fresh, seeded <paramref name="model"/> in evaluation mode and its seeded N(0, 1) input.</summary>
    internal static (NN.Module Module, Tensor Input) Instance(ForwardModel model)
    {
        Random.ManualSeed(51);
        var module = model.Create();
        module.Eval();
        return (module, Tensor.Randn(model.InputShape, generator: new Generator(52)));
    }

    /// <summary>
    /// The graph of <paramref name="model"/> for inputs like <paramref name="input"/>, optimised when asked; throws when
    /// optimising fuses something that then does not run compiled.
    /// </summary>
    internal static ScriptModule Scripted(NN.Module model, Tensor input, bool optimize)
    {
        var scripted = Jit.Trace(model, input);
        return optimize ? scripted.Optimize() : scripted;
    }

    private static Workload Forward(ForwardModel model, KilnMode mode) =>
        new(Named(model.Name + "_forward", mode), $"{model.Description}, no grad; Kiln {mode.ToString().ToLowerInvariant()}", Metric.Milliseconds, Tolerance, () =>
        {
            var (module, input) = Instance(model);
            Func<Tensor> compute = mode == KilnMode.Eager ? () => model.Eager(module, input) : Graph(Scripted(module, input, mode == KilnMode.Optimized), input);
            Tensor Compute()
            {
                using var noGrad = Autograd.NoGrad();
                return compute();
            }
            return (new Side(() => Compute(), () => Compute().ToArray<float>()), TorchSharpForward(model.TorchSharpTwin(module), input));
        });

    private static Func<Tensor> Graph(ScriptModule scripted, Tensor input) => () => (Tensor)scripted.Run(input)[0]!;

    private static Workload TrainingStep(KilnMode mode) =>
        new(Named("mlp_sgd_step", mode),
            $"MLP 784-512-512-10 SGD training step at batch 64 (as mlp_sgd_step); Kiln forward {mode.ToString().ToLowerInvariant()}, backward through its autograd record",
            Metric.Milliseconds, Tolerance, () =>
        {
            const int seed = 41;
            long[] shape = [Batch, 784];
            float[] x = Tensor.Randn(shape, generator: new Generator(seed)).ToArray<float>();
            long[] labels = Tensor.Randint(0, 10, [Batch], generator: new Generator(seed + 1000)).ToArray<long>();
            Random.ManualSeed(seed);
            var kiln = KilnTraining.Model(ModelKind.Mlp);
            var torchSharp = TorchSharpTraining.Model(ModelKind.Mlp, kiln);
            Func<Tensor, Tensor>? forward = null;
            if (mode != KilnMode.Eager)
            {
                var scripted = Scripted(kiln, Tensor.FromArray(x, shape), mode == KilnMode.Optimized);
                forward = input => scripted.Forward(input);
            }
            return (KilnTraining.Step(kiln, OptimizerKind.Sgd, x, shape, labels, "fc3", forward),
                    TorchSharpTraining.Step(torchSharp, OptimizerKind.Sgd, x, shape, labels, "fc3"));
        });

    private static Side TorchSharpForward(torch.nn.Module<TorchTensor, TorchTensor> model, Tensor input)
    {
        model.eval();
        TorchTensor x = torch.tensor(input.ToArray<float>(), input.Shape);
        return new(
            () =>
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                model.call(x);
            },
            () =>
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                return model.call(x).data<float>().ToArray();
            });
    }

    private static torch.nn.Module<TorchTensor, TorchTensor> TorchSharpLstm(NN.Module weights)
    {
        var lstm = torch.nn.LSTM(64, 128, numLayers: 1);
        TorchSharpTraining.CopyWeights(weights, lstm);
        lstm.eval();
        return new OutputOnly(lstm);
    }

    private static torch.nn.Module<TorchTensor, TorchTensor> TorchSharpEncoder(NN.Module weights)
    {
        var layer = torch.nn.TransformerEncoderLayer(128, 4, 512);
        TorchSharpTraining.CopyWeights(weights, layer);
        // The wrapper does not register the layer as a submodule, so eval() (no dropout) must reach it here.
        layer.eval();
        return new EncoderCall(layer);
    }

    /// <summary>An LSTM returning its output sequence only, as the Kiln side does.</summary>
    private sealed class OutputOnly(torch.nn.Module<TorchTensor, (TorchTensor, TorchTensor)?, (TorchTensor, TorchTensor, TorchTensor)> lstm)
        : torch.nn.Module<TorchTensor, TorchTensor>("lstm_output")
    {
        public override TorchTensor forward(TorchTensor input) => lstm.call(input, null).Item1;
    }

    /// <summary>An encoder layer called on its source alone.</summary>
    private sealed class EncoderCall(TorchSharp.Modules.TransformerEncoderLayer layer) : torch.nn.Module<TorchTensor, TorchTensor>("encoder")
    {
        public override TorchTensor forward(TorchTensor input) => layer.call(input);
    }
}
