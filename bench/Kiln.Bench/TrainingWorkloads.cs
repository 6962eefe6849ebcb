namespace Kiln.Bench;

/// <summary>The model of a training-step workload, defined as in the peers' benchmarks (../shared/peers/python/models.py).</summary>
internal enum ModelKind
{
    /// <summary>Linear 784-512, ReLU, Linear 512-512, ReLU, Linear 512-10.</summary>
    Mlp,

    /// <summary>LeNet-5: conv 1→6 5×5 pad 2, ReLU, max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, flatten, Linear 400-120, ReLU, Linear 120-84, ReLU, Linear 84-10.</summary>
    LeNet,
}

/// <summary>The optimiser of a training-step workload, with the hyper-parameters of the peers' benchmarks (../shared/peers).</summary>
internal enum OptimizerKind
{
    /// <summary>SGD, lr 0.01, momentum 0.9.</summary>
    Sgd,

    /// <summary>Adam, lr 1e-3, default betas and eps.</summary>
    Adam,
}

/// <summary>
/// The workloads of issue 4 (*Tests and figures*): one training step (zero_grad, forward, cross-entropy, backward,
/// optimiser step) of the MLP 784-512-512-10 with SGD and with Adam and of LeNet-5 with SGD, at batch 64, and a
/// no-grad LSTM forward. Kiln initialises each model; TorchSharp's copy starts from the same weights and sees the
/// same inputs, so the cross-check compares the first step's loss, the output layer's weight and bias gradients, the
/// second step's loss (which depends on every gradient and the optimiser update), and the LSTM's output sequence.
/// Gradients of earlier layers are left out: they pass through ReLU's derivative, where a pre-activation within
/// rounding of 0 may have either sign in the two frameworks and then changes a whole row of the weight gradient.
/// </summary>
internal static class TrainingWorkloads
{
    private const long Batch = 64;
    private const long Classes = 10;
    private const long LstmInput = 64, LstmHidden = 128, LstmSteps = 32, LstmBatch = 16;

    // Losses are ~2.3, gradients and the LSTM's outputs below 1 in magnitude; fp32 sums over a few hundred
    // products differ by a few ulps between summation orders.
    private const double Tolerance = 1e-4;

    /// <summary>The MLP/SGD, MLP/Adam, LeNet/SGD steps and the LSTM forward.</summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        Step("mlp_sgd_step", "MLP 784-512-512-10 (ReLU) training step at batch 64: zero_grad, forward, cross-entropy, backward, SGD (lr 0.01, momentum 0.9)",
            ModelKind.Mlp, OptimizerKind.Sgd, [Batch, 784], seed: 41),
        Step("mlp_adam_step", "MLP 784-512-512-10 (ReLU) training step at batch 64 with Adam (lr 1e-3)",
            ModelKind.Mlp, OptimizerKind.Adam, [Batch, 784], seed: 41),
        Step("lenet_sgd_step", "LeNet-5 training step at batch 64 on 1×28×28 (conv 6@5×5 pad 2, pool, conv 16@5×5, pool, fc 400-120-84-10), SGD (lr 0.01, momentum 0.9)",
            ModelKind.LeNet, OptimizerKind.Sgd, [Batch, 1, 28, 28], seed: 42),
        new("lstm_forward", "LSTM (input 64, hidden 128, 1 layer) forward over seq 32, batch 16, no grad", Metric.Milliseconds, Tolerance, () =>
        {
            long[] shape = [LstmSteps, LstmBatch, LstmInput];
            float[] x = Normal(shape, seed: 43);
            Random.ManualSeed(43);
            var kiln = new NN.LSTM(LstmInput, LstmHidden);
            return (KilnTraining.LstmForward(kiln, x, shape), TorchSharpTraining.LstmForward(kiln, x, shape));
        }),
    ];

    private static Workload Step(string name, string description, ModelKind model, OptimizerKind optimizer, long[] inputShape, int seed) =>
        new(name, description, Metric.Milliseconds, Tolerance, () =>
        {
            float[] x = Normal(inputShape, seed);
            long[] labels = Tensor.Randint(0, Classes, [Batch], generator: new Generator(seed + 1000)).ToArray<long>();
            Random.ManualSeed(seed);
            var kiln = KilnTraining.Model(model);
            string outputLayer = KilnTraining.OutputLayer(model);
            return (KilnTraining.Step(kiln, optimizer, x, inputShape, labels, outputLayer),
                    TorchSharpTraining.Step(TorchSharpTraining.Model(model, kiln), optimizer, x, inputShape, labels, outputLayer));
        });

    // Seeded N(0, 1) values, drawn once and handed to both frameworks (the peers use randn inputs).
    private static float[] Normal(long[] shape, int seed) => Tensor.Randn(shape, generator: new Generator(seed)).ToArray<float>();
}
