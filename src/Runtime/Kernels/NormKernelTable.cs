namespace Kiln.Kernels;

/// <summary>The CPU kernels of the norm op family, by op name.</summary>
internal static class NormKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries => [];
}
