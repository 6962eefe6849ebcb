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
        MaxPool(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode), twoD: false);

    /// <summary>
    /// <see cref="MaxPool1d"/> with the int64 position of each maximum along the input's last dim
    /// (<c>max_pool1d(..., return_indices=True)</c>; the first of equal maxima, the last NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid, or the window is longer than the padded input.</exception>
    public static (Tensor Output, Tensor Indices) MaxPool1dWithIndices(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        MaxPoolWithIndices(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode), twoD: false);

    /// <summary>
    /// 2-d max pooling (<c>torch.nn.functional.max_pool2d</c>) over the last two dims of a [C, H, W] or
    /// [N, C, H, W] input, with a square window (see the overload taking pairs for the options' meaning).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor MaxPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        MaxPool(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode), twoD: true);

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
        MaxPool(input, new PoolOptions(kernelSize, stride ?? [], padding ?? [0], dilation ?? [1], ceilMode), twoD: true);

    /// <summary><see cref="MaxPool2d(Tensor, long, long?, long, long, bool)"/> with the int64 position h·W + w of each maximum in its input plane.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        MaxPoolWithIndices(input, PoolWindow(kernelSize, stride, padding, dilation, ceilMode), twoD: true);

    /// <summary>
    /// <see cref="MaxPool2d(Tensor, long[], long[], long[], long[], bool)"/> with the int64 position h·W + w of each
    /// maximum in its input plane (<c>max_pool2d(..., return_indices=True)</c>; the first of equal maxima, the last NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceilMode = false) =>
        MaxPoolWithIndices(input, new PoolOptions(kernelSize, stride ?? [], padding ?? [0], dilation ?? [1], ceilMode), twoD: true);

    /// <summary>
    /// 1-d average pooling (<c>torch.nn.functional.avg_pool1d</c>) over the last dim of a [C, L] or [N, C, L]
    /// input, padded with zeros. The divisor is the window clipped to the padded input when
    /// <paramref name="countIncludePad"/>, else the number of input elements in it. Floats, and int64
    /// (truncated averages).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor AvgPool1d(Tensor input, long kernelSize, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        AvgPool(input, PoolWindow(kernelSize, stride, padding, 1, ceilMode) with { CountIncludePad = countIncludePad }, twoD: false);

    /// <summary>2-d average pooling (<c>torch.nn.functional.avg_pool2d</c>) with a square window (see the overload taking pairs).</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor AvgPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true, long? divisorOverride = null) =>
        AvgPool(input, PoolWindow(kernelSize, stride, padding, 1, ceilMode) with { CountIncludePad = countIncludePad, DivisorOverride = divisorOverride }, twoD: true);

    /// <summary>
    /// 2-d average pooling (<c>torch.nn.functional.avg_pool2d</c>) over the last two dims of a [C, H, W] or
    /// [N, C, H, W] input padded with zeros; each option is one value or a (height, width) pair. The divisor is
    /// <paramref name="divisorOverride"/> when given (not 0), else the window clipped to the padded input when
    /// <paramref name="countIncludePad"/>, else the number of input elements in the window. Floats, and
    /// int64 (truncated averages).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype, or an option, is invalid.</exception>
    public static Tensor AvgPool2d(Tensor input, long[] kernelSize, long[]? stride = null, long[]? padding = null, bool ceilMode = false, bool countIncludePad = true, long? divisorOverride = null) =>
        AvgPool(input, new PoolOptions(kernelSize, stride ?? [], padding ?? [0], [1], ceilMode, countIncludePad, divisorOverride), twoD: true);

    /// <summary>
    /// Adaptive 1-d average pooling (<c>torch.nn.functional.adaptive_avg_pool1d</c>) of a [C, L] or [N, C, L]
    /// input to length <paramref name="outputSize"/>: cell i averages input elements [⌊i·L/n⌋, ⌈(i+1)·L/n⌉).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveAvgPool1d(Tensor input, long outputSize) => TrackAdaptive(PoolingCalls.AdaptiveAvgPool1d(input, [outputSize]), "adaptive_avg_pool1d", input, [outputSize]);

    /// <summary>Adaptive 2-d average pooling to <paramref name="outputSize"/>×<paramref name="outputSize"/> (see the overload taking a pair).</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long outputSize) => TrackAdaptive(PoolingCalls.AdaptiveAvgPool2d(input, [outputSize, outputSize]), "adaptive_avg_pool2d", input, [outputSize, outputSize]);

    /// <summary>
    /// Adaptive 2-d average pooling (<c>torch.nn.functional.adaptive_avg_pool2d</c>) of a [C, H, W] or
    /// [N, C, H, W] input to the (height, width) <paramref name="outputSize"/>; windows overlap where the sizes
    /// do not divide. A 1×1 output is the mean over the last two dims, for an input of any rank ≥ 2.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the sizes are not two non-negative values.</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long[] outputSize) => TrackAdaptive(PoolingCalls.AdaptiveAvgPool2d(input, outputSize), "adaptive_avg_pool2d", input, outputSize);

    /// <summary>Adaptive 1-d max pooling (<c>torch.nn.functional.adaptive_max_pool1d</c>) of a [C, L] or [N, C, L] input to length <paramref name="outputSize"/>.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveMaxPool1d(Tensor input, long outputSize) => AdaptiveMaxPool(input, [outputSize], twoD: false);

    /// <summary><see cref="AdaptiveMaxPool1d"/> with the int64 position of each maximum along the input's last dim.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool1dWithIndices(Tensor input, long outputSize) => TrackAdaptivePair(PoolingCalls.AdaptiveMaxPool1dWithIndices(input, [outputSize]), "adaptive_max_pool1d_with_indices", input, [outputSize]);

    /// <summary>Adaptive 2-d max pooling to <paramref name="outputSize"/>×<paramref name="outputSize"/> (see the overload taking a pair).</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static Tensor AdaptiveMaxPool2d(Tensor input, long outputSize) => AdaptiveMaxPool(input, [outputSize, outputSize], twoD: true);

    /// <summary>
    /// Adaptive 2-d max pooling (<c>torch.nn.functional.adaptive_max_pool2d</c>) of a [C, H, W] or [N, C, H, W]
    /// input to the (height, width) <paramref name="outputSize"/>. NaN wins. Floats; only N may be 0.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the sizes are not two non-negative values.</exception>
    public static Tensor AdaptiveMaxPool2d(Tensor input, long[] outputSize) => AdaptiveMaxPool(input, outputSize, twoD: true);

    /// <summary><see cref="AdaptiveMaxPool2d(Tensor, long)"/> with the int64 position h·W + w of each maximum in its input plane.</summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the size is negative.</exception>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, long outputSize) => TrackAdaptivePair(PoolingCalls.AdaptiveMaxPool2dWithIndices(input, [outputSize, outputSize]), "adaptive_max_pool2d_with_indices", input, [outputSize, outputSize]);

    /// <summary>
    /// <see cref="AdaptiveMaxPool2d(Tensor, long[])"/> with the int64 position h·W + w of each maximum in its input plane
    /// (<c>adaptive_max_pool2d(..., return_indices=True)</c>; the first of equal maxima, the last NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank, sizes or dtype is invalid, or the sizes are not two non-negative values.</exception>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, long[] outputSize) => TrackAdaptivePair(PoolingCalls.AdaptiveMaxPool2dWithIndices(input, outputSize), "adaptive_max_pool2d_with_indices", input, outputSize);

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
        TrackInterpolate(PoolingCalls.Interpolate(input, new InterpolateOptions(size, scaleFactor, mode, alignCorners, recomputeScaleFactor)), input, size, scaleFactor, mode, alignCorners, recomputeScaleFactor);

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
    public static Tensor PixelShuffle(Tensor input, long upscaleFactor) => TrackShuffle(PoolingCalls.PixelShuffle(input, upscaleFactor), "pixel_shuffle", input, "upscale_factor", upscaleFactor);

    /// <summary>The inverse of <see cref="PixelShuffle"/> (<c>torch.nn.functional.pixel_unshuffle</c>): [*, C, H·r, W·r] → [*, C·r², H, W].</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 dims, r is not positive, or the height or width do not divide by r.</exception>
    public static Tensor PixelUnshuffle(Tensor input, long downscaleFactor) => TrackShuffle(PoolingCalls.PixelUnshuffle(input, downscaleFactor), "pixel_unshuffle", input, "downscale_factor", downscaleFactor);

    private static PoolOptions PoolWindow(long kernelSize, long? stride, long padding, long dilation, bool ceilMode) =>
        new([kernelSize], stride is { } s ? [s] : [], [padding], [dilation], ceilMode);

    /// <summary>A max pool: under autograd it runs the indices form and records that, so backward needs no second pass.</summary>
    private static Tensor MaxPool(Tensor input, PoolOptions options, bool twoD)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!GradRecorder.IsNeeded(input))
            return twoD ? PoolingCalls.MaxPool2d(input, options) : PoolingCalls.MaxPool1d(input, options);
        return MaxPoolWithIndices(input, options, twoD).Output;
    }

    private static (Tensor Output, Tensor Indices) MaxPoolWithIndices(Tensor input, PoolOptions options, bool twoD)
    {
        ArgumentNullException.ThrowIfNull(input);
        var pair = twoD ? PoolingCalls.MaxPool2dWithIndices(input, options) : PoolingCalls.MaxPool1dWithIndices(input, options);
        if (!GradRecorder.IsNeeded(input)) return pair;
        var recorded = GradRecorder.Record(twoD ? "max_pool2d_with_indices" : "max_pool1d_with_indices", PoolAttrs(options, average: false), [input], [pair.Output, pair.Indices]);
        return (recorded[0], recorded[1]);
    }

    private static Tensor AvgPool(Tensor input, PoolOptions options, bool twoD)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = twoD ? PoolingCalls.AvgPool2d(input, options) : PoolingCalls.AvgPool1d(input, options);
        return GradRecorder.IsNeeded(input) ? GradRecorder.Record(twoD ? "avg_pool2d" : "avg_pool1d", PoolAttrs(options, average: true), [input], [result])[0] : result;
    }

    /// <summary>The registry attributes of a fixed-window pool.</summary>
    private static IR.Attrs PoolAttrs(PoolOptions options, bool average)
    {
        var attrs = new IR.Attrs
        {
            { "kernel_size", options.KernelSize }, { "stride", options.Stride }, { "padding", options.Padding }, { "ceil_mode", options.CeilMode },
        };
        if (!average)
        {
            attrs.Add("dilation", options.Dilation);
            return attrs;
        }
        attrs.Add("count_include_pad", options.CountIncludePad);
        if (options.DivisorOverride is { } divisor) attrs.Add("divisor_override", divisor);
        return attrs;
    }

    private static Tensor AdaptiveMaxPool(Tensor input, long[] outputSize, bool twoD)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!GradRecorder.IsNeeded(input))
            return twoD ? PoolingCalls.AdaptiveMaxPool2d(input, outputSize) : PoolingCalls.AdaptiveMaxPool1d(input, outputSize);
        var pair = twoD ? PoolingCalls.AdaptiveMaxPool2dWithIndices(input, outputSize) : PoolingCalls.AdaptiveMaxPool1dWithIndices(input, outputSize);
        return TrackAdaptivePair(pair, twoD ? "adaptive_max_pool2d_with_indices" : "adaptive_max_pool1d_with_indices", input, outputSize).Output;
    }

    private static Tensor TrackAdaptive(Tensor result, string op, Tensor input, long[] outputSize) =>
        GradRecorder.IsNeeded(input) ? GradRecorder.Record(op, new IR.Attrs { { "output_size", outputSize } }, [input], [result])[0] : result;

    private static (Tensor Output, Tensor Indices) TrackAdaptivePair((Tensor Output, Tensor Indices) pair, string op, Tensor input, long[] outputSize)
    {
        if (!GradRecorder.IsNeeded(input)) return pair;
        var recorded = GradRecorder.Record(op, new IR.Attrs { { "output_size", outputSize } }, [input], [pair.Output, pair.Indices]);
        return (recorded[0], recorded[1]);
    }

    /// <summary>Records interpolate; the registry's scale_factor is one float for every dim, so per-dim factors must agree.</summary>
    /// <exception cref="NotSupportedException">Differing per-dim scale factors under autograd.</exception>
    private static Tensor TrackInterpolate(Tensor result, Tensor input, long[]? size, double[]? scaleFactor, string mode, bool? alignCorners, bool? recomputeScaleFactor)
    {
        if (!GradRecorder.IsNeeded(input)) return result;
        var attrs = new IR.Attrs { { "mode", mode } };
        if (size is not null) attrs.Add("size", size);
        if (scaleFactor is { Length: > 0 })
        {
            if (scaleFactor.Any(f => f != scaleFactor[0]))
                throw new NotSupportedException($"interpolate: gradients need one scale_factor for every dim, but got [{string.Join(", ", scaleFactor)}]; pass size instead");
            attrs.Add("scale_factor", scaleFactor[0]);
        }
        if (alignCorners is not null) attrs.Add("align_corners", alignCorners.Value);
        if (recomputeScaleFactor is not null) attrs.Add("recompute_scale_factor", recomputeScaleFactor.Value);
        return GradRecorder.Record("interpolate", attrs, [input], [result])[0];
    }

    private static Tensor TrackShuffle(Tensor result, string op, Tensor input, string factorName, long factor) =>
        GradRecorder.IsNeeded(input) ? GradRecorder.Record(op, new IR.Attrs { { factorName, factor } }, [input], [result])[0] : result;
}
