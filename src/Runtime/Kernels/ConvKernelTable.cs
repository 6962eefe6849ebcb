using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Conv;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the conv op family, by op name.</summary>
internal static class ConvKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("conv1d", (inputs, attrs) => [Convolution("conv1d", 1, inputs, attrs)]),
        ("conv2d", (inputs, attrs) => [Convolution("conv2d", 2, inputs, attrs)]),
        ("conv_transpose2d", (inputs, attrs) => [ConvTransposeKernel.Forward("conv_transpose2d", 2, inputs[0], inputs[1], Bias(inputs),
            ConvOps.Ints(attrs, "stride"), ConvOps.Ints(attrs, "padding"), ConvOps.Ints(attrs, "output_padding"), attrs.GetLong("groups", 1), ConvOps.Ints(attrs, "dilation"))]),
        ("unfold", (inputs, attrs) => [FoldKernels.Unfold(inputs[0],
            ConvOps.Ints(attrs, "kernel_size"), ConvOps.Ints(attrs, "dilation"), ConvOps.Ints(attrs, "padding"), ConvOps.Ints(attrs, "stride"))]),
        ("fold", (inputs, attrs) => [FoldKernels.Fold(inputs[0], ConvOps.Ints(attrs, "output_size"),
            ConvOps.Ints(attrs, "kernel_size"), ConvOps.Ints(attrs, "dilation"), ConvOps.Ints(attrs, "padding"), ConvOps.Ints(attrs, "stride"))]),
        ("conv_weight_backward", (inputs, attrs) => [ConvWeightBackwardKernel.Run(inputs[0], inputs[1], attrs)]),
    ];

    private static Tensor? Bias(IReadOnlyList<Tensor> inputs) => inputs.Count > 2 ? inputs[2] : null;

    private static Tensor Convolution(string op, int spatialRank, IReadOnlyList<Tensor> inputs, Attrs attrs)
    {
        var (padding, mode) = ConvOps.Padding(attrs);
        return ConvKernel.Forward(op, spatialRank, inputs[0], inputs[1], Bias(inputs),
            ConvOps.Ints(attrs, "stride"), padding, mode, ConvOps.Ints(attrs, "dilation"), attrs.GetLong("groups", 1));
    }
}
