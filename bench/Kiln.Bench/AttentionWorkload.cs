using TorchSharp;
using KilnF = Kiln.NN.Functional;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Kiln.Bench;

/// <summary>
/// The attention workload of issue 3 (*Speed*): fp32 scaled dot-product attention over batch 8, 4 heads,
/// sequence 256, head dim 32, no mask, the same input values through
/// <c>Kiln.NN.Functional.ScaledDotProductAttention</c> and <c>torch.nn.functional.scaled_dot_product_attention</c>.
/// </summary>
internal static class AttentionWorkload
{
    private static readonly long[] Shape = [8, 4, 256, 32];

    /// <summary>The workload; its figure is milliseconds per call.</summary>
    // fp32 softmax-weighted sums of 256 values in [-1, 1) differ by a few ulps between summation orders.
    public static Workload Create() => new("attention", "scaled_dot_product_attention of 8×4×256×32 fp32 query, key and value (batch 8, 4 heads, seq 256, head dim 32)",
        Metric.Milliseconds, 1e-5, () =>
        {
            // Seeded uniform values in [-1, 1), drawn once and handed to both frameworks.
            float[] q = Uniform(seed: 21), k = Uniform(seed: 22), v = Uniform(seed: 23);
            return (KilnSide(q, k, v), TorchSharpSide(q, k, v));
        });

    private static float[] Uniform(int seed) => (Tensor.Rand(Shape, generator: new Generator(seed)) * 2.0 - 1.0).ToArray<float>();

    private static Side KilnSide(float[] q, float[] k, float[] v)
    {
        Tensor query = Tensor.FromArray(q, Shape), key = Tensor.FromArray(k, Shape), value = Tensor.FromArray(v, Shape);
        Tensor Compute() => KilnF.ScaledDotProductAttention(query, key, value);
        return new(() => Compute(), () => Compute().ToArray<float>());
    }

    // Each call runs in its own DisposeScope, as idiomatic TorchSharp code does; its cost is part of the figure.
    private static Side TorchSharpSide(float[] q, float[] k, float[] v)
    {
        TorchTensor query = torch.tensor(q, Shape), key = torch.tensor(k, Shape), value = torch.tensor(v, Shape);
        TorchTensor Compute() => torch.nn.functional.scaled_dot_product_attention(query, key, value);
        return new(
            () =>
            {
                using var scope = torch.NewDisposeScope();
                Compute();
            },
            () =>
            {
                using var scope = torch.NewDisposeScope();
                return Compute().data<float>().ToArray();
            });
    }
}
