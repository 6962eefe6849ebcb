namespace Kiln.Kernels;

/// <summary>The CPU kernels of the loss op family, by op name.</summary>
internal static class LossKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries => [];
}
