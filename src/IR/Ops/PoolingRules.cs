namespace Kiln.IR.Ops;

/// <summary>How a pooling window moves along one spatial axis of the input.</summary>
/// <param name="Input">The input size along the axis.</param>
/// <param name="Output">The number of window positions (the output size).</param>
/// <param name="Kernel">The number of elements in the window.</param>
/// <param name="Stride">The step between window positions.</param>
/// <param name="Padding">The implicit padding before the first element (and after the last).</param>
/// <param name="Dilation">The step between the window's elements.</param>
public readonly record struct PoolAxis(long Input, long Output, long Kernel, long Stride, long Padding, long Dilation)
{
    /// <summary>The input position of window <paramref name="o"/>'s first element (negative inside the padding).</summary>
    public long Start(long o) => o * Stride - Padding;
}

/// <summary>
/// Where a fixed-window pooling op reads: the result shape, the number of planes pooled independently
/// (the product of the dims before the spatial ones) and the window along the height and the width.
/// A 1-d op has a height of 1 and a window of 1 along it.
/// </summary>
/// <param name="OutputShape">The shape of the result.</param>
/// <param name="Planes">The number of independent planes.</param>
/// <param name="Height">The window along the height.</param>
/// <param name="Width">The window along the width.</param>
public sealed record PoolGeometry(long[] OutputShape, long Planes, PoolAxis Height, PoolAxis Width);

/// <summary>
/// The keyword arguments of torch's max_pool and avg_pool functions. An empty <see cref="Stride"/>
/// means the kernel size; each list has one entry per spatial dim, or one entry for all of them.
/// </summary>
/// <param name="KernelSize">The window size.</param>
/// <param name="Stride">The step between windows (empty: the kernel size).</param>
/// <param name="Padding">The implicit padding on both sides.</param>
/// <param name="Dilation">The step between window elements (max pooling only).</param>
/// <param name="CeilMode">Whether the output size rounds up (the last window may hang over the end).</param>
/// <param name="CountIncludePad">Whether avg_pool divides by the window including padding.</param>
/// <param name="DivisorOverride">A divisor avg_pool2d uses in place of the window size.</param>
public sealed record PoolOptions(long[] KernelSize, long[] Stride, long[] Padding, long[] Dilation, bool CeilMode = false, bool CountIncludePad = true, long? DivisorOverride = null)
{
    /// <summary>The options from an op's attributes (kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override).</summary>
    public static PoolOptions FromAttrs(Attrs attrs)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        return new(attrs.GetLongs("kernel_size"), attrs.GetLongs("stride"),
            attrs.Contains("padding") ? attrs.GetLongs("padding") : [0],
            attrs.Contains("dilation") ? attrs.GetLongs("dilation") : [1],
            attrs.GetBool("ceil_mode", false), attrs.GetBool("count_include_pad", true),
            attrs["divisor_override"] is null ? null : attrs.GetLong("divisor_override", 0));
    }
}

/// <summary>
/// The shape rules of max_pool1d/2d and avg_pool1d/2d, as PyTorch 1.13 checks them (the eager kernels
/// check inputs with the same code). Only a 4-d input's batch may be empty; padding is at most half the
/// kernel; with ceil_mode the last window must start inside the input or the left padding.
/// </summary>
public static class PoolingRules
{
    /// <summary>
    /// The number of window positions along an axis: ⌊(input + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1,
    /// rounded up instead with <paramref name="ceilMode"/>, less one if the last window would then start
    /// past the input and the left padding.
    /// </summary>
    public static long OutputSize(long input, long kernel, long padding, long stride, long dilation, bool ceilMode)
    {
        long span = input + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long output = FloorDiv(span, stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + padding)
            output--;
        return output;
    }

    /// <summary>max_pool2d's geometry for an input of <paramref name="shape"/> ([C, H, W] or [N, C, H, W]).</summary>
    /// <exception cref="ArgumentException">The input or an option is invalid; the message names <paramref name="op"/>.</exception>
    public static PoolGeometry MaxPool2d(string op, ReadOnlySpan<long> shape, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kernel = Pair(op, "kernel_size", options.KernelSize);
        var stride = options.Stride.Length == 0 ? kernel : Pair(op, "stride", options.Stride);
        var padding = Pair(op, "padding", options.Padding);
        var dilation = Pair(op, "dilation", options.Dilation);
        CheckRank2d(op, shape);
        return Window2d(op, shape, kernel, stride, padding, dilation, options.CeilMode);
    }

    /// <summary>avg_pool2d's geometry for an input of <paramref name="shape"/> ([C, H, W] or [N, C, H, W]).</summary>
    /// <exception cref="ArgumentException">The input or an option is invalid (a zero divisor_override included).</exception>
    public static PoolGeometry AvgPool2d(string op, ReadOnlySpan<long> shape, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kernel = Pair(op, "kernel_size", options.KernelSize);
        var stride = options.Stride.Length == 0 ? kernel : Pair(op, "stride", options.Stride);
        var padding = Pair(op, "padding", options.Padding);
        if (options.DivisorOverride == 0)
            throw new ArgumentException($"{op}: divisor_override must not be zero");
        CheckRank2d(op, shape);
        return Window2d(op, shape, kernel, stride, padding, (1, 1), options.CeilMode);
    }

    /// <summary>
    /// max_pool1d_with_indices's geometry for an input of <paramref name="shape"/> ([C, L] or [N, C, L]):
    /// max_pool2d's rules on the input with a height of 1.
    /// </summary>
    /// <exception cref="ArgumentException">The input or an option is invalid.</exception>
    public static PoolGeometry MaxPool1dWithIndices(string op, ReadOnlySpan<long> shape, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (kernel, stride, padding, dilation) = Single(op, options, withDilation: true);
        CheckRank1d(op, shape);
        return As1d(Window2d(op, [.. shape[..^1], 1, shape[^1]], (1, kernel), (1, stride), (0, padding), (1, dilation), options.CeilMode), shape);
    }

    /// <summary>avg_pool1d's geometry for an input of <paramref name="shape"/> ([C, L] or [N, C, L]): avg_pool2d's rules with a height of 1.</summary>
    /// <exception cref="ArgumentException">The input or an option is invalid.</exception>
    public static PoolGeometry AvgPool1d(string op, ReadOnlySpan<long> shape, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (kernel, stride, padding, _) = Single(op, options, withDilation: false);
        CheckRank1d(op, shape);
        return As1d(Window2d(op, [.. shape[..^1], 1, shape[^1]], (1, kernel), (1, stride), (0, padding), (1, 1), options.CeilMode), shape);
    }

    /// <summary>
    /// max_pool1d's geometry (without indices), which PyTorch 1.13 checks more leniently than the 2-d ops:
    /// a window too large for the input gives an empty output rather than an error.
    /// </summary>
    /// <exception cref="ArgumentException">The input or an option is invalid, or the output size would be negative.</exception>
    public static PoolGeometry MaxPool1d(string op, ReadOnlySpan<long> shape, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (kernel, stride, padding, dilation) = Single(op, options, withDilation: true);
        CheckRank1d(op, shape);
        CheckNonBatchDims(op, shape, shape.Length == 3 ? 1 : 0, "[C, L] or [N, C, L]");
        var width = Axis(op, "length", shape[^1], kernel, stride, padding, dilation, options.CeilMode);
        if (width.Output < 0)
            throw new ArgumentException($"{op}: an input of length {shape[^1]} is shorter than the window (kernel_size {kernel}, dilation {dilation}, padding {padding}): the output length would be {width.Output}");
        return new PoolGeometry([.. shape[..^1], width.Output], Shapes.Numel(shape[..^1]), new PoolAxis(1, 1, 1, 1, 0, 1), width);
    }

    /// <summary>The geometry of a 2-d window over the last two dims of a 3-d or 4-d <paramref name="shape"/>.</summary>
    private static PoolGeometry Window2d(string op, ReadOnlySpan<long> shape, (long H, long W) kernel, (long H, long W) stride,
        (long H, long W) padding, (long H, long W) dilation, bool ceilMode)
    {
        CheckNonBatchDims(op, shape, shape.Length - 3, "[C, H, W] or [N, C, H, W]");
        var height = Axis(op, "height", shape[^2], kernel.H, stride.H, padding.H, dilation.H, ceilMode);
        var width = Axis(op, "width", shape[^1], kernel.W, stride.W, padding.W, dilation.W, ceilMode);
        if (height.Output < 1 || width.Output < 1)
        {
            throw new ArgumentException($"{op}: the input of shape {Shapes.Format(shape)} is too small for the window (kernel_size [{kernel.H}, {kernel.W}], "
                + $"stride [{stride.H}, {stride.W}], padding [{padding.H}, {padding.W}], dilation [{dilation.H}, {dilation.W}]): "
                + $"the output would be {height.Output}x{width.Output}, and it must be at least 1x1");
        }
        return new PoolGeometry([.. shape[..^2], height.Output, width.Output], Shapes.Numel(shape[..^2]), height, width);
    }

    /// <summary>One axis of a window, after checking its options.</summary>
    private static PoolAxis Axis(string op, string axis, long input, long kernel, long stride, long padding, long dilation, bool ceilMode)
    {
        if (kernel <= 0)
            throw new ArgumentException($"{op}: kernel_size must be positive, but it is {kernel} along the {axis}");
        if (stride <= 0)
            throw new ArgumentException($"{op}: stride must be positive, but it is {stride} along the {axis}");
        if (dilation <= 0)
            throw new ArgumentException($"{op}: dilation must be positive, but it is {dilation} along the {axis}");
        if (padding < 0)
            throw new ArgumentException($"{op}: padding must be non-negative, but it is {padding} along the {axis}");
        if (padding > kernel / 2)
            throw new ArgumentException($"{op}: padding must be at most half the kernel size, but along the {axis} it is {padding} with kernel_size {kernel}");
        return new PoolAxis(input, OutputSize(input, kernel, padding, stride, dilation, ceilMode), kernel, stride, padding, dilation);
    }

    /// <summary>A 1-d geometry computed on the input viewed with a height of 1, given the 1-d output shape.</summary>
    private static PoolGeometry As1d(PoolGeometry geometry, ReadOnlySpan<long> shape) =>
        geometry with { OutputShape = [.. shape[..^1], geometry.Width.Output] };

    private static void CheckRank2d(string op, ReadOnlySpan<long> shape)
    {
        if (shape.Length is not (3 or 4))
            throw new ArgumentException($"{op}: expected a 3-d [C, H, W] or 4-d [N, C, H, W] input, but got shape {Shapes.Format(shape)}");
    }

    private static void CheckRank1d(string op, ReadOnlySpan<long> shape)
    {
        if (shape.Length is not (2 or 3))
            throw new ArgumentException($"{op}: expected a 2-d [C, L] or 3-d [N, C, L] input, but got shape {Shapes.Format(shape)}");
    }

    /// <summary>Throws when a dim from <paramref name="first"/> on is 0: only the batch dim of a batched input may be empty.</summary>
    internal static void CheckNonBatchDims(string op, ReadOnlySpan<long> shape, int first, string layout)
    {
        for (int d = Math.Max(first, 0); d < shape.Length; d++)
        {
            if (shape[d] == 0)
                throw new ArgumentException($"{op}: expected a {layout} input in which only the batch dim may be empty, but got shape {Shapes.Format(shape)} (dim {d} is 0)");
        }
    }

    /// <summary>A per-axis option given as one value for both axes or a pair.</summary>
    private static (long H, long W) Pair(string op, string name, long[] values) => values.Length switch
    {
        1 => (values[0], values[0]),
        2 => (values[0], values[1]),
        _ => throw new ArgumentException($"{op}: {name} must be a single int or a pair of ints, but got [{string.Join(", ", values)}]"),
    };

    /// <summary>The options of a 1-d op: each list must hold exactly one value (stride may be empty).</summary>
    private static (long Kernel, long Stride, long Padding, long Dilation) Single(string op, PoolOptions options, bool withDilation)
    {
        long kernel = One(op, "kernel_size", options.KernelSize);
        long stride = options.Stride.Length == 0 ? kernel : One(op, "stride", options.Stride);
        long padding = One(op, "padding", options.Padding);
        long dilation = withDilation ? One(op, "dilation", options.Dilation) : 1;
        return (kernel, stride, padding, dilation);
    }

    private static long One(string op, string name, long[] values) => values.Length == 1 ? values[0]
        : throw new ArgumentException($"{op}: {name} must be a single int, but got [{string.Join(", ", values)}]");

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}
