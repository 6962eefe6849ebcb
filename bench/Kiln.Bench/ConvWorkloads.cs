using TorchSharp;
using KilnF = Kiln.NN.Functional;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Kiln.Bench;

/// <summary>
/// The convolution workloads of issue 3 (*Speed*): one fp32 conv2d layer with bias, the same input values through
/// <c>Kiln.NN.Functional.Conv2d</c> and <c>torch.nn.functional.conv2d</c>.
/// </summary>
internal static class ConvWorkloads
{
    /// <summary>The LeNet-size and the ResNet-block layer.</summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        Conv2d("conv2d_lenet", "LeNet layer: conv2d of 64×1×28×28 fp32 with 6 filters 5×5, bias", [64, 1, 28, 28], [6, 1, 5, 5], padding: 0, seed: 11),
        Conv2d("conv2d_resnet", "ResNet-block layer: conv2d of 16×64×56×56 fp32 with 64 filters 3×3, padding 1, bias", [16, 64, 56, 56], [64, 64, 3, 3], padding: 1, seed: 12),
    ];

    // fp32 sums of up to 576 products of values in [-1, 1) differ by a few ulps of ~10 between summation orders.
    private static Workload Conv2d(string name, string description, long[] input, long[] weight, long padding, int seed) =>
        new(name, description, Metric.Milliseconds, 1e-4, () =>
        {
            // Seeded uniform values in [-1, 1), drawn once and handed to both frameworks.
            Kiln.Random.ManualSeed(seed);
            float[] x = Uniform(input), w = Uniform(weight), b = Uniform([weight[0]]);
            return (KilnSide(x, input, w, weight, b, padding), TorchSharpSide(x, input, w, weight, b, padding));
        });

    private static float[] Uniform(long[] shape) => (Tensor.Rand(shape) * 2.0 - 1.0).ToArray<float>();

    private static Side KilnSide(float[] x, long[] inputShape, float[] w, long[] weightShape, float[] b, long padding)
    {
        Tensor input = Tensor.FromArray(x, inputShape), weight = Tensor.FromArray(w, weightShape), bias = Tensor.FromArray(b, b.Length);
        Tensor Compute() => KilnF.Conv2d(input, weight, bias, padding: [padding]);
        return new(() => Compute(), () => Compute().ToArray<float>());
    }

    // Each call runs in its own DisposeScope, as idiomatic TorchSharp code does; its cost is part of the figure.
    private static Side TorchSharpSide(float[] x, long[] inputShape, float[] w, long[] weightShape, float[] b, long padding)
    {
        TorchTensor input = torch.tensor(x, inputShape), weight = torch.tensor(w, weightShape), bias = torch.tensor(b, [b.Length]);
        TorchTensor Compute() => torch.nn.functional.conv2d(input, weight, bias, padding: [padding, padding]);
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
