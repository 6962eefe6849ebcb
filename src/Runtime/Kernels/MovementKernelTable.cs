namespace Kiln.Kernels;

/// <summary>The CPU kernels of the movement op family, by op name.</summary>
internal static class MovementKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries => [];
}
