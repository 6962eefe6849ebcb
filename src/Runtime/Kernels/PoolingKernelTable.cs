using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Pooling;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the pooling op family, by op name.</summary>
internal static class PoolingKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("max_pool1d", (inputs, a) => [PoolingCalls.MaxPool1d(inputs[0], PoolOptions.FromAttrs(a))]),
        ("max_pool1d_with_indices", (inputs, a) => Pair(PoolingCalls.MaxPool1dWithIndices(inputs[0], PoolOptions.FromAttrs(a)))),
        ("max_pool2d", (inputs, a) => [PoolingCalls.MaxPool2d(inputs[0], PoolOptions.FromAttrs(a))]),
        ("max_pool2d_with_indices", (inputs, a) => Pair(PoolingCalls.MaxPool2dWithIndices(inputs[0], PoolOptions.FromAttrs(a)))),
        ("avg_pool1d", (inputs, a) => [PoolingCalls.AvgPool1d(inputs[0], PoolOptions.FromAttrs(a))]),
        ("avg_pool2d", (inputs, a) => [PoolingCalls.AvgPool2d(inputs[0], PoolOptions.FromAttrs(a))]),
        ("adaptive_avg_pool1d", (inputs, a) => [PoolingCalls.AdaptiveAvgPool1d(inputs[0], AdaptivePoolingRules.OutputSize(a, 1))]),
        ("adaptive_avg_pool2d", (inputs, a) => [PoolingCalls.AdaptiveAvgPool2d(inputs[0], AdaptivePoolingRules.OutputSize(a, 2))]),
        ("adaptive_max_pool1d", (inputs, a) => [PoolingCalls.AdaptiveMaxPool1d(inputs[0], AdaptivePoolingRules.OutputSize(a, 1))]),
        ("adaptive_max_pool1d_with_indices", (inputs, a) => Pair(PoolingCalls.AdaptiveMaxPool1dWithIndices(inputs[0], AdaptivePoolingRules.OutputSize(a, 1)))),
        ("adaptive_max_pool2d", (inputs, a) => [PoolingCalls.AdaptiveMaxPool2d(inputs[0], AdaptivePoolingRules.OutputSize(a, 2))]),
        ("adaptive_max_pool2d_with_indices", (inputs, a) => Pair(PoolingCalls.AdaptiveMaxPool2dWithIndices(inputs[0], AdaptivePoolingRules.OutputSize(a, 2)))),
        ("interpolate", (inputs, a) => [PoolingCalls.Interpolate(inputs[0], InterpolateOptions.FromAttrs(a, inputs[0].Dim - 2))]),
        ("pixel_shuffle", (inputs, a) => [PoolingCalls.PixelShuffle(inputs[0], ResamplingRules.Factor("pixel_shuffle", a, "upscale_factor"))]),
        ("pixel_unshuffle", (inputs, a) => [PoolingCalls.PixelUnshuffle(inputs[0], ResamplingRules.Factor("pixel_unshuffle", a, "downscale_factor"))]),
        ("max_pool2d_backward", (x, a) => [PoolingBackwardKernels.ScatterByIndices("max_pool2d_backward", x[0], x[1], x[2], a)]),
        ("adaptive_max_pool2d_backward", (x, a) => [PoolingBackwardKernels.ScatterByIndices("adaptive_max_pool2d_backward", x[0], x[1], x[2], a)]),
        ("avg_pool2d_backward", (x, a) => [PoolingBackwardKernels.AvgPool(x[0], x[1], a)]),
        ("adaptive_avg_pool2d_backward", (x, a) => [PoolingBackwardKernels.AdaptiveAvgPool(x[0], x[1], a)]),
        ("interpolate_backward", (x, a) => [PoolingBackwardKernels.Interpolate(x[0], x[1], a)]),
    ];

    private static Tensor[] Pair((Tensor Output, Tensor Indices) result) => [result.Output, result.Indices];
}
