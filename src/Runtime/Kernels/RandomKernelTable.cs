using Kiln.NN;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the random op family, by op name (they draw from the default generator).</summary>
internal static class RandomKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("dropout", (inputs, attrs) => [Functional.Dropout(inputs[0], attrs.GetDouble("p", 0.5), attrs.GetBool("training", true))]),
        ("dropout2d", (inputs, attrs) => [Functional.Dropout2d(inputs[0], attrs.GetDouble("p", 0.5), attrs.GetBool("training", true))]),
        ("bernoulli", (inputs, attrs) => [attrs.GetOptionalDouble("p") is { } p ? inputs[0].Bernoulli(p) : inputs[0].Bernoulli()]),
        ("multinomial", (inputs, attrs) => [inputs[0].Multinomial(attrs.GetLong("num_samples", 0), attrs.GetBool("replacement", false))]),
    ];
}
