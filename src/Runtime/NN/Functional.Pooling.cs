using Kiln.IR.Ops;
using Kiln.Kernels.Pooling;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// 1-d max pooling (<c>torch.nn.functional.max_pool1d</c>) over the last dim of a [C, L] or [N, C, L] input:
    /// the largest value of each window of <paramref name="kernelSize"/> elements, <paramref name="dilation"/>
    /// apart, starting every <paramref name="stride"/> (default: the kernel size) elements of the input padded
    /// with -∞ by <paramref name="padding"/> (at most half the kernel) on both sides. With
    /// <paramref name="ceilMode"/> a last, partial window is kept if it starts inside the input or the left padding.
    /// NaN wins. Floats and integers.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor MaxPool1d(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        PoolingCalls.MaxPool1d(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode));

    /// <summary>
    /// <see cref="MaxPool1d"/> with the int64 position of each maximum along the input's last dim
    /// (<c>max_pool1d(..., return_indices=True)</c>; the first of equal maxima, the last NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid, or the window is longer than the padded input.</exception>
    public static (Tensor Output, Tensor Indices) MaxPool1dWithIndices(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        PoolingCalls.MaxPool1dWithIndices(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode));

    /// <summary>
    /// 2-d max pooling (<c>torch.nn.functional.max_pool2d</c>) over the last two dims of a [C, H, W] or
    /// [N, C, H, W] input, with a square window (see the overload taking pairs for the options' meaning).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor MaxPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        PoolingCalls.MaxPool2d(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode));

    /// <summary>
    /// 2-d max pooling (<c>torch.nn.functional.max_pool2d</c>) over the last two dims of a [C, H, W] or
    /// [N, C, H, W] input. Each option is one value for both dims or a (height, width) pair:
    /// <paramref name="kernelSize"/>, <paramref name="stride"/> (null: the kernel size), <paramref name="padding"/>
    /// (-∞, at most half the kernel; default 0), <paramref name="dilation"/> (default 1). With
    /// <paramref name="ceilMode"/> the output sizes round up, keeping a last window that starts inside the
    /// input or the left padding. NaN wins. Floats and integers; only N may be 0.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid, or the output would be empty.</exception>
    public static Tensor MaxPool2d(Tensor input, long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceilMode = false) =>
        PoolingCalls.MaxPool2d(input, new PoolOptions(kernelSize, stride ?? [], padding ?? [0], dilation ?? [1], ceilMode));

    /// <summary><see cref="MaxPool2d(Tensor, long, long?, long, long, bool)"/> with the int64 position h·W + w of each maximum in its input plane.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        PoolingCalls.MaxPool2dWithIndices(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode));

    /// <summary>
    /// <see cref="MaxPool2d(Tensor, long[], long[], long[], long[], bool)"/> with the int64 position h·W + w of each
    /// maximum in its input plane (<c>max_pool2d(..., return_indices=True)</c>; the first of equal maxima, the last NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceilMode = false) =>
        PoolingCalls.MaxPool2dWithIndices(input, new PoolOptions(kernelSize, stride ?? [], padding ?? [0], dilation ?? [1], ceilMode));

    /// <summary>
    /// 1-d average pooling (<c>torch.nn.functional.avg_pool1d</c>) over the last dim of a [C, L] or [N, C, L]
    /// input, padded with zeros. The divisor is the window clipped to the padded input when
    /// <paramref name="countIncludePad"/>, else the number of input elements in it. Floats, and int64
    /// (truncated averages).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor AvgPool1d(Tensor input, long kernelSize, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        PoolingCalls.AvgPool1d(input, PoolWindow(kernelSize, stride, padding, 1, ceilMode) with { CountIncludePad = countIncludePad });

    /// <summary>2-d average pooling (<c>torch.nn.functional.avg_pool2d</c>) with a square window (see the overload taking pairs).</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor AvgPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true, long? divisorOverride = null) =>
        PoolingCalls.AvgPool2d(input, PoolWindow(kernelSize, stride, padding, 1, ceilMode) with { CountIncludePad = countIncludePad, DivisorOverride = divisorOverride });

    /// <summary>
    /// 2-d average pooling (<c>torch.nn.functional.avg_pool2d</c>) over the last two dims of a [C, H, W] or
    /// [N, C, H, W] input padded with zeros; each option is one value or a (height, width) pair. The divisor is
    /// <paramref name="divisorOverride"/> when given (not 0), else the window clipped to the padded input when
    /// <paramref name="countIncludePad"/>, else the number of input elements in the window. Floats, and
    /// int64 (truncated averages).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor AvgPool2d(Tensor input, long[] kernelSize, long[]? stride = null, long[]? padding = null, bool ceilMode = false, bool countIncludePad = true, long? divisorOverride = null) =>
        PoolingCalls.AvgPool2d(input, new PoolOptions(kernelSize, stride ?? [], padding ?? [0], [1], ceilMode, countIncludePad, divisorOverride));

    /// <summary>
    /// Adaptive 1-d average pooling (<c>torch.nn.functional.adaptive_avg_pool1d</c>) of a [C, L] or [N, C, L]
    /// input to length <paramref name="outputSize"/>: cell i averages input elements [⌊i·L/n⌋, ⌈(i+1)·L/n⌉).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveAvgPool1d(Tensor input, long outputSize) => PoolingCalls.AdaptiveAvgPool1d(input, [outputSize]);

    /// <summary>Adaptive 2-d average pooling to <paramref name="outputSize"/>×<paramref name="outputSize"/> (see the overload taking a pair).</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long outputSize) => PoolingCalls.AdaptiveAvgPool2d(input, [outputSize, outputSize]);

    /// <summary>
    /// Adaptive 2-d average pooling (<c>torch.nn.functional.adaptive_avg_pool2d</c>) of a [C, H, W] or
    /// [N, C, H, W] input to the (height, width) <paramref name="outputSize"/>; windows overlap where the sizes
    /// do not divide. A 1×1 output is the mean over the last two dims, for an input of any rank ≥ 2.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the sizes are not two non-negative values.</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long[] outputSize) => PoolingCalls.AdaptiveAvgPool2d(input, outputSize);

    /// <summary>Adaptive 1-d max pooling (<c>torch.nn.functional.adaptive_max_pool1d</c>) of a [C, L] or [N, C, L] input to length <paramref name="outputSize"/>.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveMaxPool1d(Tensor input, long outputSize) => PoolingCalls.AdaptiveMaxPool1d(input, [outputSize]);

    /// <summary><see cref="AdaptiveMaxPool1d"/> with the int64 position of each maximum along the input's last dim.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool1dWithIndices(Tensor input, long outputSize) => PoolingCalls.AdaptiveMaxPool1dWithIndices(input, [outputSize]);

    /// <summary>Adaptive 2-d max pooling to <paramref name="outputSize"/>×<paramref name="outputSize"/> (see the overload taking a pair).</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveMaxPool2d(Tensor input, long outputSize) => PoolingCalls.AdaptiveMaxPool2d(input, [outputSize, outputSize]);

    /// <summary>
    /// Adaptive 2-d max pooling (<c>torch.nn.functional.adaptive_max_pool2d</c>) of a [C, H, W] or [N, C, H, W]
    /// input to the (height, width) <paramref name="outputSize"/>. NaN wins. Floats; only N may be 0.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the sizes are not two non-negative values.</exception>
    public static Tensor AdaptiveMaxPool2d(Tensor input, long[] outputSize) => PoolingCalls.AdaptiveMaxPool2d(input, outputSize);

    /// <summary><see cref="AdaptiveMaxPool2d(Tensor, long)"/> with the int64 position h·W + w of each maximum in its input plane.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, long outputSize) => PoolingCalls.AdaptiveMaxPool2dWithIndices(input, [outputSize, outputSize]);

    /// <summary>
    /// <see cref="AdaptiveMaxPool2d(Tensor, long[])"/> with the int64 position h·W + w of each maximum in its input plane
    /// (<c>adaptive_max_pool2d(..., return_indices=True)</c>; the first of equal maxima, the last NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the sizes are not two non-negative values.</exception>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, long[] outputSize) => PoolingCalls.AdaptiveMaxPool2dWithIndices(input, outputSize);

    /// <summary>
    /// Resamples the spatial dims of a [N, C, ...] input (<c>torch.nn.functional.interpolate</c>) to
    /// <paramref name="size"/> (one entry per spatial dim) or by <paramref name="scaleFactor"/> (one entry per
    /// spatial dim; the output size is ⌊input·scale⌋ and, unless <paramref name="recomputeScaleFactor"/>, the scale
    /// maps positions). Modes: <c>nearest</c> and <c>nearest-exact</c> (1 to 3 spatial dims; floats and uint8),
    /// <c>linear</c> ([N, C, L]) and <c>bilinear</c> ([N, C, H, W]), whose <paramref name="alignCorners"/> (default
    /// false) lines up the centres of the corner pixels instead of their outer edges.
    /// </summary>
    /// <exception cref="ArgumentException">Neither or both of size and scaleFactor are given, the mode, rank, sizes or dtype are invalid, or alignCorners is set with a nearest mode.</exception>
    public static Tensor Interpolate(Tensor input, long[]? size = null, double[]? scaleFactor = null, string mode = "nearest", bool? alignCorners = null, bool? recomputeScaleFactor = null) =>
        PoolingCalls.Interpolate(input, new InterpolateOptions(size, scaleFactor, mode, alignCorners, recomputeScaleFactor));

    /// <summary><see cref="Interpolate(Tensor, long[], double[], string, bool?, bool?)"/> to <paramref name="size"/> along every spatial dim.</summary>
    /// <exception cref="ArgumentException">The mode, rank, sizes or dtype are invalid, or alignCorners is set with a nearest mode.</exception>
    public static Tensor Interpolate(Tensor input, long size, string mode = "nearest", bool? alignCorners = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Interpolate(input, Enumerable.Repeat(size, Math.Max(input.Dim - 2, 0)).ToArray(), null, mode, alignCorners);
    }

    /// <summary><see cref="Interpolate(Tensor, long[], double[], string, bool?, bool?)"/> by <paramref name="scaleFactor"/> along every spatial dim.</summary>
    /// <exception cref="ArgumentException">The mode, rank, sizes or dtype are invalid, or alignCorners is set with a nearest mode.</exception>
    public static Tensor Interpolate(Tensor input, double scaleFactor, string mode = "nearest", bool? alignCorners = null, bool? recomputeScaleFactor = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Interpolate(input, null, Enumerable.Repeat(scaleFactor, Math.Max(input.Dim - 2, 0)).ToArray(), mode, alignCorners, recomputeScaleFactor);
    }

    /// <summary>
    /// Moves channels into space (<c>torch.nn.functional.pixel_shuffle</c>): [*, C·r², H, W] → [*, C, H·r, W·r]
    /// with out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w], r = <paramref name="upscaleFactor"/>. Every dtype.
    /// </summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 dims, r is not positive, or the channels do not divide by r².</exception>
    public static Tensor PixelShuffle(Tensor input, long upscaleFactor) => PoolingCalls.PixelShuffle(input, upscaleFactor);

    /// <summary>The inverse of <see cref="PixelShuffle"/> (<c>torch.nn.functional.pixel_unshuffle</c>): [*, C, H·r, W·r] → [*, C·r², H, W].</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 dims, r is not positive, or the height or width do not divide by r.</exception>
    public static Tensor PixelUnshuffle(Tensor input, long downscaleFactor) => PoolingCalls.PixelUnshuffle(input, downscaleFactor);

    private static PoolOptions PoolWindow(long kernelSize, long? stride, long padding, long dilation, bool ceilMode) =>
        new([kernelSize], stride is { } s ? [s] : [], [padding], [dilation], ceilMode);
}
