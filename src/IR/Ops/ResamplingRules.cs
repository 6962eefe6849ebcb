namespace Kiln.IR.Ops;

/// <summary>The interpolation modes of <c>interpolate</c> that Kiln implements.</summary>
public enum InterpolateMode : byte
{
    /// <summary><c>"nearest"</c>: source index ⌊dst·scale⌋ (PyTorch's legacy rule, kept for compatibility).</summary>
    Nearest,
    /// <summary><c>"nearest-exact"</c>: source index ⌊(dst + 0.5)·scale⌋ (Pillow's and scikit-image's rule).</summary>
    NearestExact,
    /// <summary><c>"linear"</c>: linear interpolation along the last dim of a 3-d input.</summary>
    Linear,
    /// <summary><c>"bilinear"</c>: linear interpolation along the last two dims of a 4-d input.</summary>
    Bilinear,
}

/// <summary>
/// The keyword arguments of torch's <c>interpolate</c>: exactly one of <see cref="Size"/> and
/// <see cref="ScaleFactor"/>, each with one entry per spatial dim.
/// </summary>
/// <param name="Size">The output size of each spatial dim, or null.</param>
/// <param name="ScaleFactor">The scale of each spatial dim (output = ⌊input·scale⌋), or null.</param>
/// <param name="Mode"><c>nearest</c>, <c>nearest-exact</c>, <c>linear</c> or <c>bilinear</c>.</param>
/// <param name="AlignCorners">For the linear modes: whether the corner pixels' centres line up (null: false).</param>
/// <param name="RecomputeScaleFactor">Whether the scale used to find source positions is recomputed from the sizes.</param>
public sealed record InterpolateOptions(long[]? Size, double[]? ScaleFactor, string Mode = "nearest", bool? AlignCorners = null, bool? RecomputeScaleFactor = null)
{
    /// <summary>
    /// The options from an op's attributes. A single integer <c>size</c> and the (single) <c>scale_factor</c>
    /// stand for every one of the <paramref name="spatialDims"/> spatial dims; a list of sizes is taken as it is.
    /// </summary>
    public static InterpolateOptions FromAttrs(Attrs attrs, int spatialDims)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        int dims = Math.Max(spatialDims, 0);
        long[]? size = attrs["size"] switch
        {
            null => null,
            long s => Enumerable.Repeat(s, dims).ToArray(),
            _ => attrs.GetLongs("size"),
        };
        double[]? scale = attrs.GetOptionalDouble("scale_factor") is { } f ? Enumerable.Repeat(f, dims).ToArray() : null;
        return new(size, scale, attrs.GetString("mode", "nearest"),
            attrs["align_corners"] as bool?, attrs["recompute_scale_factor"] as bool?);
    }
}

/// <summary>
/// What <c>interpolate</c> computes: the result shape, the mode, and per spatial dim the input and output
/// sizes and the scale the kernel maps positions with (null: input / output).
/// </summary>
/// <param name="OutputShape">The shape of the result.</param>
/// <param name="Mode">The interpolation mode.</param>
/// <param name="AlignCorners">Whether the linear modes align the corner pixels.</param>
/// <param name="InputSize">The input's spatial sizes.</param>
/// <param name="OutputSize">The output's spatial sizes.</param>
/// <param name="Scales">The user's scale factor per spatial dim, or null where the sizes decide the scale.</param>
public sealed record InterpolatePlan(long[] OutputShape, InterpolateMode Mode, bool AlignCorners, long[] InputSize, long[] OutputSize, double?[] Scales);

/// <summary>The shape rules of interpolate, pixel_shuffle and pixel_unshuffle, with PyTorch 1.13's checks.</summary>
public static class ResamplingRules
{
    private static readonly string[] Unsupported = ["area", "bicubic", "trilinear"];

    /// <summary>The attributes of interpolate (and of its backward op).</summary>
    public static IReadOnlyList<AttrDef> InterpolateAttributes { get; } =
        [new("size", "ints"), new("scale_factor", "float"), new("mode", "str", "nearest"), new("align_corners", "bool"), new("recompute_scale_factor", "bool")];

    /// <summary>The plan of <c>interpolate</c> on an input of <paramref name="dtype"/> and <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The mode, the options, the input's rank, sizes or dtype are invalid; the message names <paramref name="op"/>.</exception>
    public static InterpolatePlan Interpolate(string op, DType dtype, ReadOnlySpan<long> shape, InterpolateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mode = ParseMode(op, options.Mode);
        bool linear = mode is InterpolateMode.Linear or InterpolateMode.Bilinear;
        if (!linear && options.AlignCorners is not null)
            throw new ArgumentException($"{op}: align_corners can only be set with the interpolating modes linear and bilinear, not with mode '{options.Mode}'");
        if (!dtype.IsFloatingPoint() && (linear || dtype != DType.UInt8))
            throw new ArgumentException($"{op}: input dtype {dtype.Name()} is not supported with mode '{options.Mode}'; expected a floating-point dtype{(linear ? "" : " or uint8")}");
        int dims = shape.Length - 2;
        var (size, scale) = (options.Size, options.ScaleFactor);
        if (size is not null && scale is not null)
            throw new ArgumentException($"{op}: only one of size and scale_factor may be given");
        if (size is null && scale is null)
            throw new ArgumentException($"{op}: either size or scale_factor must be given");
        if (size is not null && size.Length != dims)
            throw new ArgumentException($"{op}: size [{string.Join(", ", size)}] must have one entry per spatial dim of the input of shape {Shapes.Format(shape)} ({Math.Max(dims, 0)})");
        if (scale is not null && scale.Length != dims)
            throw new ArgumentException($"{op}: scale_factor must have one entry per spatial dim of the input of shape {Shapes.Format(shape)} ({Math.Max(dims, 0)}), but has {scale.Length}");
        if (size is not null && options.RecomputeScaleFactor == true)
            throw new ArgumentException($"{op}: recompute_scale_factor is not meaningful with an explicit size");
        CheckRank(op, mode, options.Mode, shape);

        var input = shape[2..].ToArray();
        var output = size ?? input.Select((n, i) => (long)Math.Floor(n * scale![i])).ToArray();
        if (input.Any(n => n <= 0) || output.Any(n => n <= 0))
            throw new ArgumentException($"{op}: input and output sizes must be positive, but got input {Shapes.Format(input)} and output {Shapes.Format(output)} (input shape {Shapes.Format(shape)})");
        if (shape[1] == 0)
            throw new ArgumentException($"{op}: expected an input with channels (only the batch may be empty), but got shape {Shapes.Format(shape)}");
        var scales = size is not null || options.RecomputeScaleFactor == true
            ? new double?[dims]
            : scale!.Select(s => (double?)s).ToArray();
        return new InterpolatePlan([shape[0], shape[1], .. output], mode, options.AlignCorners ?? false, input, output, scales);
    }

    /// <summary>pixel_shuffle's result shape: [*, C·r², H, W] → [*, C, H·r, W·r].</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 dims, r is not positive, or the channels do not divide by r².</exception>
    public static long[] PixelShuffleShape(string op, ReadOnlySpan<long> shape, long upscaleFactor)
    {
        CheckShuffle(op, shape, upscaleFactor, "upscale_factor");
        long r = upscaleFactor, channels = shape[^3];
        if (channels % (r * r) != 0)
            throw new ArgumentException($"{op}: the channel dim (dim -3) of the input of shape {Shapes.Format(shape)} must be divisible by upscale_factor² = {r * r}, but it is {channels}");
        return [.. shape[..^3], channels / (r * r), shape[^2] * r, shape[^1] * r];
    }

    /// <summary>pixel_unshuffle's result shape: [*, C, H·r, W·r] → [*, C·r², H, W].</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 dims, r is not positive, or the height or width do not divide by r.</exception>
    public static long[] PixelUnshuffleShape(string op, ReadOnlySpan<long> shape, long downscaleFactor)
    {
        CheckShuffle(op, shape, downscaleFactor, "downscale_factor");
        long r = downscaleFactor;
        if (shape[^2] % r != 0 || shape[^1] % r != 0)
            throw new ArgumentException($"{op}: the height and width of the input of shape {Shapes.Format(shape)} must be divisible by downscale_factor {r}");
        return [.. shape[..^3], shape[^3] * r * r, shape[^2] / r, shape[^1] / r];
    }

    /// <summary>The factor attribute of pixel_shuffle or pixel_unshuffle, which is required.</summary>
    /// <exception cref="ArgumentException">The attribute is absent.</exception>
    public static long Factor(string op, Attrs attrs, string name)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        return attrs[name] is null ? throw new ArgumentException($"{op}: the '{name}' attribute is required") : attrs.GetLong(name, 0);
    }

    private static void CheckShuffle(string op, ReadOnlySpan<long> shape, long factor, string name)
    {
        if (shape.Length < 3)
            throw new ArgumentException($"{op}: expected an input with at least 3 dims [*, C, H, W], but got shape {Shapes.Format(shape)}");
        if (factor <= 0)
            throw new ArgumentException($"{op}: {name} must be positive, but got {factor}");
    }

    private static InterpolateMode ParseMode(string op, string mode) => mode switch
    {
        "nearest" => InterpolateMode.Nearest,
        "nearest-exact" => InterpolateMode.NearestExact,
        "linear" => InterpolateMode.Linear,
        "bilinear" => InterpolateMode.Bilinear,
        _ when Unsupported.Contains(mode) => throw new ArgumentException($"{op}: mode '{mode}' is not implemented yet; the modes are nearest, nearest-exact, linear and bilinear"),
        _ => throw new ArgumentException($"{op}: unknown mode '{mode}'; expected nearest, nearest-exact, linear or bilinear"),
    };

    private static void CheckRank(string op, InterpolateMode mode, string name, ReadOnlySpan<long> shape)
    {
        var (low, high, layout) = mode switch
        {
            InterpolateMode.Linear => (3, 3, "a 3-d [N, C, L]"),
            InterpolateMode.Bilinear => (4, 4, "a 4-d [N, C, H, W]"),
            _ => (3, 5, "a 3-d, 4-d or 5-d [N, C, ...]"),
        };
        if (shape.Length < low || shape.Length > high)
            throw new ArgumentException($"{op}: mode '{name}' expects {layout} input, but got shape {Shapes.Format(shape)}");
    }
}
