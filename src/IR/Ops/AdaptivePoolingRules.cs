namespace Kiln.IR.Ops;

/// <summary>
/// Where an adaptive pooling op reads: the result shape, the number of planes pooled independently and
/// the input and output sizes of each plane. Output cell (i, j) pools input rows
/// [<see cref="Start"/>(i, OutputHeight, InputHeight), <see cref="End"/>(i, OutputHeight, InputHeight)) and likewise
/// columns, so neighbouring windows overlap when the sizes do not divide evenly.
/// </summary>
/// <param name="OutputShape">The shape of the result.</param>
/// <param name="Planes">The number of independent planes.</param>
/// <param name="InputHeight">The height of an input plane (1 for the 1-d ops).</param>
/// <param name="InputWidth">The width of an input plane.</param>
/// <param name="OutputHeight">The height of an output plane.</param>
/// <param name="OutputWidth">The width of an output plane.</param>
public sealed record AdaptiveGeometry(long[] OutputShape, long Planes, long InputHeight, long InputWidth, long OutputHeight, long OutputWidth)
{
    /// <summary>The first input index of output cell <paramref name="o"/>: ⌊o·input / output⌋, computed without overflow.</summary>
    public static long Start(long o, long output, long input) => o / output * input + o % output * input / output;

    /// <summary>One past the last input index of output cell <paramref name="o"/>: ⌈(o + 1)·input / output⌉.</summary>
    public static long End(long o, long output, long input) => 1 + ((o + 1) * input - 1) / output;
}

/// <summary>
/// The shape rules of adaptive_avg_pool1d/2d and adaptive_max_pool1d/2d as PyTorch 1.13 checks them.
/// An output size of 1×1 makes adaptive_avg_pool2d a mean over the last two dims, which PyTorch
/// computes for inputs of any rank ≥ 2 and any sizes (a mean over nothing is NaN).
/// </summary>
public static class AdaptivePoolingRules
{
    /// <summary>
    /// The output size from an op's <c>output_size</c> attribute: a single integer stands for every spatial dim;
    /// a list is taken as it is (and must have one entry per spatial dim).
    /// </summary>
    public static long[] OutputSize(Attrs attrs, int spatialDims)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        return attrs["output_size"] is long size ? Enumerable.Repeat(size, spatialDims).ToArray() : attrs.GetLongs("output_size");
    }

    /// <summary>adaptive_avg_pool2d's geometry for an input of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The input or output size is invalid; the message names <paramref name="op"/>.</exception>
    public static AdaptiveGeometry AvgPool2d(string op, ReadOnlySpan<long> shape, long[] outputSize)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        CheckLength(op, outputSize, 2);
        CheckNonNegative(op, outputSize);
        if (outputSize[0] == 1 && outputSize[1] == 1)
        {
            if (shape.Length < 2)
                throw new ArgumentException($"{op}: expected an input with at least 2 dims, but got shape {Shapes.Format(shape)}");
            return Geometry(shape[..^2], shape[^2], shape[^1], 1, 1);
        }
        CheckRank(op, shape, 3, "a 3-d [C, H, W] or 4-d [N, C, H, W]");
        CheckSpatialDims(op, shape, shape.Length - 2);
        return Geometry(shape[..^2], shape[^2], shape[^1], outputSize[0], outputSize[1]);
    }

    /// <summary>adaptive_avg_pool1d's geometry: adaptive_avg_pool2d's rules on the input with a height of 1.</summary>
    /// <exception cref="ArgumentException">The input or output size is invalid.</exception>
    public static AdaptiveGeometry AvgPool1d(string op, ReadOnlySpan<long> shape, long[] outputSize)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        CheckRank(op, shape, 2, "a 2-d [C, L] or 3-d [N, C, L]");
        CheckLength(op, outputSize, 1);
        CheckNonNegative(op, outputSize);
        if (outputSize[0] != 1)
            CheckSpatialDims(op, shape, shape.Length - 1);
        return Geometry(shape[..^1], 1, shape[^1], 1, outputSize[0], oneDim: true);
    }

    /// <summary>adaptive_max_pool2d's geometry: every dim but a 4-d input's batch must be non-empty.</summary>
    /// <exception cref="ArgumentException">The input or output size is invalid.</exception>
    public static AdaptiveGeometry MaxPool2d(string op, ReadOnlySpan<long> shape, long[] outputSize)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        CheckRank(op, shape, 3, "a 3-d [C, H, W] or 4-d [N, C, H, W]");
        CheckSpatialDims(op, shape, 1);
        CheckLength(op, outputSize, 2);
        CheckNonNegative(op, outputSize);
        return Geometry(shape[..^2], shape[^2], shape[^1], outputSize[0], outputSize[1]);
    }

    /// <summary>adaptive_max_pool1d's geometry: every dim but the first must be non-empty.</summary>
    /// <exception cref="ArgumentException">The input or output size is invalid.</exception>
    public static AdaptiveGeometry MaxPool1d(string op, ReadOnlySpan<long> shape, long[] outputSize)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        CheckRank(op, shape, 2, "a 2-d [C, L] or 3-d [N, C, L]");
        CheckSpatialDims(op, shape, 1);
        CheckLength(op, outputSize, 1);
        CheckNonNegative(op, outputSize);
        return Geometry(shape[..^1], 1, shape[^1], 1, outputSize[0], oneDim: true);
    }

    private static AdaptiveGeometry Geometry(ReadOnlySpan<long> planes, long inputHeight, long inputWidth, long outputHeight, long outputWidth, bool oneDim = false) =>
        new(oneDim ? [.. planes, outputWidth] : [.. planes, outputHeight, outputWidth], Shapes.Numel(planes), inputHeight, inputWidth, outputHeight, outputWidth);

    private static void CheckRank(string op, ReadOnlySpan<long> shape, int low, string layout)
    {
        if (shape.Length != low && shape.Length != low + 1)
            throw new ArgumentException($"{op}: expected {layout} input, but got shape {Shapes.Format(shape)}");
    }

    private static void CheckLength(string op, long[] outputSize, int dims)
    {
        if (outputSize.Length != dims)
            throw new ArgumentException($"{op}: output_size must hold {(dims == 1 ? "one size" : $"{dims} sizes (or be a single int)")}, but got [{string.Join(", ", outputSize)}]");
    }

    private static void CheckNonNegative(string op, long[] outputSize)
    {
        if (outputSize.Any(s => s < 0))
            throw new ArgumentException($"{op}: the sizes in output_size must be non-negative, but got [{string.Join(", ", outputSize)}]");
    }

    /// <summary>Throws when a dim from <paramref name="first"/> on is 0.</summary>
    private static void CheckSpatialDims(string op, ReadOnlySpan<long> shape, int first)
    {
        for (int d = first; d < shape.Length; d++)
        {
            if (shape[d] == 0)
                throw new ArgumentException($"{op}: expected non-empty sizes in every dim from dim {first} on, but got shape {Shapes.Format(shape)} (dim {d} is 0)");
        }
    }
}
