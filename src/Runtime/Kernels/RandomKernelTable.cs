using Kiln.IR;
using Kiln.NN;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the random op family, by op name (they draw from the default generator).</summary>
internal static class RandomKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("dropout", (inputs, attrs) => DropoutWithMask("dropout", inputs[0], attrs, feature: false)),
        ("dropout2d", (inputs, attrs) => DropoutWithMask("dropout2d", inputs[0], attrs, feature: true)),
        // The kernels themselves, not Tensor.Bernoulli: a graph run inside traced code records these ops, so they do not freeze.
        ("bernoulli", (inputs, attrs) => [Sampling.BernoulliKernel.Run(inputs[0], attrs.GetOptionalDouble("p"), null)]),
        ("multinomial", (inputs, attrs) => [Sampling.MultinomialKernel.Run(inputs[0], attrs.GetLong("num_samples", 0), attrs.GetBool("replacement", false), null)]),
    ];

    private static Tensor[] DropoutWithMask(string op, Tensor input, Attrs attrs, bool feature)
    {
        var (output, mask) = Functional.DropoutWithMask(op, input, attrs.GetDouble("p", 0.5), attrs.GetBool("training", true), null, feature);
        return [output, mask];
    }
}
