using Kiln.Kernels.Recurrent;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the recurrent op family, by op name.</summary>
internal static class RecurrentKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("lstm_layer", (inputs, attrs) => LstmLayerKernel.Run(inputs, attrs.GetBool("reverse", false))),
    ];
}
