namespace Kiln.Bench;

/// <summary>The workloads of issue 2, section 5 (names as in the peers' benchmarks, ../shared/peers), and those of issues 3 and 4.</summary>
internal static class Workloads
{
    private const int ChainElements = 4 * 1024 * 1024;
    private const int AddChainOps = 1000;

    /// <summary>Every workload, in the order they run and are reported.</summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        Gemm(256),
        Gemm(1024),
        new("eltwise_4M", "relu(a*b + c) * sigmoid(a) on 4M fp32 (4 Mi elements)", Metric.Milliseconds, 1e-5, () =>
        {
            float[] a = Uniform(ChainElements, seed: 3), b = Uniform(ChainElements, seed: 4), c = Uniform(ChainElements, seed: 5);
            return (KilnSides.ReluSigmoidChain(a, b, c), TorchSharpSides.ReluSigmoidChain(a, b, c));
        }),
        new("eltwise_4M_compiled", "relu(a*b + c) * sigmoid(a) on 4M fp32, one LLVM-compiled fused kernel (Kiln) vs eager (TorchSharp)",
            Metric.Milliseconds, 1e-5, () =>
        {
            float[] a = Uniform(ChainElements, seed: 3), b = Uniform(ChainElements, seed: 4), c = Uniform(ChainElements, seed: 5);
            return (CompiledSides.ReluSigmoidChain(a, b, c), TorchSharpSides.ReluSigmoidChain(a, b, c));
        }),
        new("add1_chain_per_op", "1,000 sequential x = x + b on 1-element fp32 tensors", Metric.MicrosecondsPerOp(AddChainOps), 0.0,
            () => (KilnSides.AddChain(AddChainOps), TorchSharpSides.AddChain(AddChainOps))),
        .. ConvWorkloads.All,
        AttentionWorkload.Create(),
        .. TrainingWorkloads.All,
        .. ScriptedWorkloads.All,
    ];

    // fp32 sums over n = 1024 products of values in [-1, 1) differ by a few ulps of ~10 between summation orders.
    private static Workload Gemm(int n) => new($"gemm_{n}", $"{n}×{n} @ {n}×{n} fp32 matmul", Metric.Gflops(2.0 * n * n * n), 1e-4, () =>
    {
        float[] a = Uniform(n * n, seed: 1), b = Uniform(n * n, seed: 2);
        return (KilnSides.Gemm(a, b, n), TorchSharpSides.Gemm(a, b, n));
    });

    // The same input values go to both frameworks, so their outputs can be compared.
    private static float[] Uniform(int count, int seed)
    {
        var random = new System.Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (random.NextSingle() * 2) - 1;
        return values;
    }
}
