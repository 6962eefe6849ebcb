using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// Each pooling op's checked call, shared by <see cref="NN.Functional"/> and the kernel table: the input's
/// dtype and shape and the options are checked by the same rules as the op's type rule, then the kernel runs.
/// </summary>
internal static class PoolingCalls
{
    internal static Tensor MaxPool1d(Tensor input, PoolOptions options) =>
        MaxPoolKernel.Values(input, PoolingRules.MaxPool1d(Checked("max_pool1d", input, PoolingOps.MaxDTypes), input.shape, options));

    internal static (Tensor Output, Tensor Indices) MaxPool1dWithIndices(Tensor input, PoolOptions options) =>
        MaxPoolKernel.WithIndices(input, PoolingRules.MaxPool1dWithIndices(Checked("max_pool1d_with_indices", input, PoolingOps.MaxDTypes), input.shape, options));

    internal static Tensor MaxPool2d(Tensor input, PoolOptions options) =>
        MaxPoolKernel.Values(input, PoolingRules.MaxPool2d(Checked("max_pool2d", input, PoolingOps.MaxDTypes), input.shape, options));

    internal static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, PoolOptions options) =>
        MaxPoolKernel.WithIndices(input, PoolingRules.MaxPool2d(Checked("max_pool2d_with_indices", input, PoolingOps.MaxDTypes), input.shape, options));

    internal static Tensor AvgPool1d(Tensor input, PoolOptions options) =>
        AvgPoolKernel.Run(input, PoolingRules.AvgPool1d(Checked("avg_pool1d", input, PoolingOps.AvgDTypes), input.shape, options), options.CountIncludePad, null);

    internal static Tensor AvgPool2d(Tensor input, PoolOptions options) =>
        AvgPoolKernel.Run(input, PoolingRules.AvgPool2d(Checked("avg_pool2d", input, PoolingOps.AvgDTypes), input.shape, options), options.CountIncludePad, options.DivisorOverride);

    internal static Tensor AdaptiveAvgPool1d(Tensor input, long[] outputSize) =>
        AdaptivePoolKernel.Average(input, AdaptivePoolingRules.AvgPool1d(Checked("adaptive_avg_pool1d", input, PoolingOps.FloatDTypes), input.shape, outputSize));

    internal static Tensor AdaptiveAvgPool2d(Tensor input, long[] outputSize) =>
        AdaptivePoolKernel.Average(input, AdaptivePoolingRules.AvgPool2d(Checked("adaptive_avg_pool2d", input, PoolingOps.FloatDTypes), input.shape, outputSize));

    internal static Tensor AdaptiveMaxPool1d(Tensor input, long[] outputSize) =>
        AdaptivePoolKernel.Max(input, AdaptivePoolingRules.MaxPool1d(Checked("adaptive_max_pool1d", input, PoolingOps.FloatDTypes), input.shape, outputSize));

    internal static (Tensor Output, Tensor Indices) AdaptiveMaxPool1dWithIndices(Tensor input, long[] outputSize) =>
        AdaptivePoolKernel.ArgMax(input, AdaptivePoolingRules.MaxPool1d(Checked("adaptive_max_pool1d_with_indices", input, PoolingOps.FloatDTypes), input.shape, outputSize));

    internal static Tensor AdaptiveMaxPool2d(Tensor input, long[] outputSize) =>
        AdaptivePoolKernel.Max(input, AdaptivePoolingRules.MaxPool2d(Checked("adaptive_max_pool2d", input, PoolingOps.FloatDTypes), input.shape, outputSize));

    internal static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, long[] outputSize) =>
        AdaptivePoolKernel.ArgMax(input, AdaptivePoolingRules.MaxPool2d(Checked("adaptive_max_pool2d_with_indices", input, PoolingOps.FloatDTypes), input.shape, outputSize));

    internal static Tensor Interpolate(Tensor input, InterpolateOptions options)
    {
        var plan = ResamplingRules.Interpolate(Checked("interpolate", input, PoolingOps.InterpolateDTypes), input.DType, input.shape, options);
        return plan.Mode is InterpolateMode.Linear or InterpolateMode.Bilinear ? LinearResampleKernel.Run(input, plan) : NearestKernel.Run(input, plan);
    }

    internal static Tensor PixelShuffle(Tensor input, long upscaleFactor)
    {
        ArgumentNullException.ThrowIfNull(input);
        return PixelShuffleKernel.Shuffle(input, ResamplingRules.PixelShuffleShape("pixel_shuffle", input.shape, upscaleFactor), upscaleFactor);
    }

    internal static Tensor PixelUnshuffle(Tensor input, long downscaleFactor)
    {
        ArgumentNullException.ThrowIfNull(input);
        return PixelShuffleKernel.Unshuffle(input, ResamplingRules.PixelUnshuffleShape("pixel_unshuffle", input.shape, downscaleFactor), downscaleFactor);
    }

    /// <summary>Throws unless <paramref name="input"/> is given and has one of <paramref name="dtypes"/>; returns the op's name for the shape rule.</summary>
    private static string Checked(string op, Tensor input, IReadOnlyList<DType> dtypes)
    {
        ArgumentNullException.ThrowIfNull(input);
        TypeRules.CheckDType(op, input.DType, dtypes);
        return op;
    }
}
