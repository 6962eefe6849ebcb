using Kiln.NN;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the linalg op family, by op name.</summary>
internal static class LinalgKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("matmul", (inputs, _) => [inputs[0].Matmul(inputs[1])]),
        ("bmm", (inputs, _) => [inputs[0].Bmm(inputs[1])]),
        ("linear", (inputs, _) => [Functional.Linear(inputs[0], inputs[1], inputs.Count > 2 ? inputs[2] : null)]),
        ("outer", (inputs, _) => [inputs[0].Outer(inputs[1])]),
        ("dot", (inputs, _) => [inputs[0].Dot(inputs[1])]),
    ];
}
