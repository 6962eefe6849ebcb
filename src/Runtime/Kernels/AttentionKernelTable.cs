using Kiln.Kernels.Attention;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the attention op family, by op name.</summary>
internal static class AttentionKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("scaled_dot_product_attention", (inputs, attrs) =>
        [
            AttentionKernel.Run(inputs[0], inputs[1], inputs[2], inputs.Count > 3 ? inputs[3] : null,
                attrs.GetDouble("dropout_p", 0), attrs.GetBool("is_causal", false), attrs.GetOptionalDouble("scale"), null),
        ]),
    ];
}
