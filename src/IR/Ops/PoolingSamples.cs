namespace Kiln.IR.Ops;

/// <summary>
/// The OpInfo samples of the pooling family: window options (padding, dilation, ceil_mode, count_include_pad,
/// divisor_override), unbatched and empty-batch inputs, views, NaN and infinities, adaptive sizes that do not
/// divide evenly, every interpolate mode, and the inputs PyTorch rejects.
/// </summary>
internal static class PoolingSamples
{
    private const DType F32 = DType.Float32, F64 = DType.Float64, F16 = DType.Float16, BF16 = DType.BFloat16;
    private const DType I64 = DType.Int64, I32 = DType.Int32, I16 = DType.Int16, I8 = DType.Int8, U8 = DType.UInt8;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    /// <summary>Averages and interpolations of float16/bfloat16 are computed in float32 and rounded once; PyTorch may round elsewhere.</summary>
    private static readonly Tolerance LowPrecision = new(1e-2, 1e-2);

    private static OpSample Sample(DType dtype, long[] shape, Attrs attrs, SampleLayout layout = C, SampleDomain domain = SampleDomain.Any, bool averages = false) =>
        new([new TensorSpec(dtype, shape, layout, domain)], attrs, averages && dtype is F16 or BF16 ? LowPrecision : null);

    /// <summary>The attributes of a fixed-window pool; null options are left out (their defaults apply).</summary>
    private static Attrs Window(long[] kernel, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool? ceil = null, bool? countIncludePad = null, long? divisor = null)
    {
        var attrs = new Attrs { { "kernel_size", kernel } };
        if (stride is not null) attrs.Add("stride", stride);
        if (padding is not null) attrs.Add("padding", padding);
        if (dilation is not null) attrs.Add("dilation", dilation);
        if (ceil is not null) attrs.Add("ceil_mode", ceil.Value);
        if (countIncludePad is not null) attrs.Add("count_include_pad", countIncludePad.Value);
        if (divisor is not null) attrs.Add("divisor_override", divisor.Value);
        return attrs;
    }

    private static Attrs Output(object size) => new() { { "output_size", size } };

    /// <summary>Samples of max_pool2d and max_pool2d_with_indices.</summary>
    public static IEnumerable<OpSample> MaxPool2d()
    {
        yield return Sample(F32, [2, 3, 8, 8], Window([2]));
        yield return Sample(F32, [2, 3, 7, 9], Window([3], [2], [1]));
        yield return Sample(F32, [1, 2, 9, 7], Window([3, 2], [2, 1], [1, 1], [2, 1]));
        yield return Sample(F32, [2, 2, 7, 7], Window([2], [2], ceil: true));
        yield return Sample(F32, [1, 2, 6, 6], Window([3], [2], [1], ceil: true));
        yield return Sample(F32, [1, 2, 5, 8], Window([2, 3], [1], [1], [2], ceil: true));
        yield return Sample(F32, [3, 8, 8], Window([2]));
        yield return Sample(F32, [2, 3, 8, 8], Window([3], [1]), T);
        yield return Sample(F32, [2, 3, 6, 10], Window([2, 3], [1, 2]), S);
        yield return Sample(F32, [3, 2, 5, 5], Window([2], [1]), E);
        yield return Sample(F32, [0, 3, 4, 4], Window([2]));
        yield return Sample(F32, [1, 1, 5, 5], Window([5]));
        yield return Sample(F32, [1, 2, 7, 7], Window([3], dilation: [3]));
        // The second window reads only padding and positions past the end: -inf, and PyTorch's index 2.
        yield return Sample(F32, [1, 1, 1, 2], Window([1, 2], [1], [0, 1], [1, 3]));
        yield return Sample(F32, [2, 4, 17, 19], Window([3], [2], [1]));
        yield return Sample(F32, [2, 3, 6, 6], Window([2]), domain: SampleDomain.Special);
        yield return Sample(F32, [2, 3, 6, 7], Window([3], [1], [1]), domain: SampleDomain.Special);
        yield return Sample(F32, [1, 1, 4, 4], Window([2], padding: [2]));
        yield return Sample(F32, [1, 1, 2, 2], Window([3]));
        yield return Sample(F32, [2, 0, 4, 4], Window([2]));
        yield return Sample(F32, [0, 4, 4], Window([2]));
        yield return Sample(F32, [4, 4], Window([2]));
        yield return Sample(F32, [1, 1, 1, 4, 4], Window([2]));
        yield return Sample(F32, [1, 1, 4, 4], Window([2, 2, 2]));
        yield return Sample(F32, [1, 1, 4, 4], Window([2], [0]));
        yield return Sample(F32, [1, 1, 4, 4], Window([2], dilation: [0]));
        yield return Sample(F32, [1, 1, 4, 4], Window([2], padding: [-1]));
        yield return Sample(F64, [2, 3, 7, 9], Window([3], [2], [1]));
        yield return Sample(F16, [2, 3, 8, 8], Window([2]));
        yield return Sample(F16, [1, 2, 7, 7], Window([3], [2], [1], ceil: true));
        yield return Sample(BF16, [2, 3, 7, 9], Window([3], [2], [1]));
        foreach (var d in new[] { I64, I32, I16, I8, U8 })
            yield return Sample(d, [2, 3, 8, 8], Window([2]));
        yield return Sample(I64, [1, 2, 7, 7], Window([3], [1], [1]));
    }

    /// <summary>Samples of max_pool1d and max_pool1d_with_indices (which PyTorch checks differently: see the [1, 2, 2] sample).</summary>
    public static IEnumerable<OpSample> MaxPool1d()
    {
        yield return Sample(F32, [2, 3, 10], Window([2]));
        yield return Sample(F32, [2, 3, 11], Window([3], [2], [1]));
        yield return Sample(F32, [2, 3, 11], Window([3], [1], [1], [2]));
        yield return Sample(F32, [2, 3, 9], Window([2], [2], ceil: true));
        yield return Sample(F32, [1, 2, 10], Window([4], [3], [2], ceil: true));
        yield return Sample(F32, [3, 10], Window([3]));
        yield return Sample(F32, [2, 3, 10], Window([3], [1]), T);
        yield return Sample(F32, [2, 3, 10], Window([2]), S);
        yield return Sample(F32, [3, 2, 9], Window([3], [2]), E);
        yield return Sample(F32, [0, 3, 5], Window([2]));
        // A window longer than the input: max_pool1d gives an empty result, max_pool1d_with_indices an error.
        yield return Sample(F32, [1, 2, 2], Window([3]));
        yield return Sample(F32, [1, 1, 2], Window([2], [1], [1], [3]));
        yield return Sample(F32, [2, 3, 8], Window([2]), domain: SampleDomain.Special);
        yield return Sample(F32, [2, 3, 8], Window([3], [1], [1]), domain: SampleDomain.Special);
        yield return Sample(F32, [2, 0, 4], Window([2]));
        yield return Sample(F32, [2, 3, 0], Window([2]));
        yield return Sample(F32, [4], Window([2]));
        yield return Sample(F32, [1, 1, 1, 4], Window([2]));
        yield return Sample(F32, [1, 1, 4], Window([2], padding: [2]));
        yield return Sample(F32, [1, 1, 4], Window([0], [1]));
        yield return Sample(F32, [1, 1, 4], Window([2, 2]));
        yield return Sample(F32, [1, 1, 1], Window([3], [1]));
        yield return Sample(F64, [2, 3, 11], Window([3], [2], [1]));
        yield return Sample(F16, [2, 3, 10], Window([2]));
        yield return Sample(BF16, [2, 3, 11], Window([3], [2], [1], ceil: true));
        foreach (var d in new[] { I64, I32, I16, I8, U8 })
            yield return Sample(d, [2, 3, 10], Window([2]));
    }

    /// <summary>Samples of avg_pool2d.</summary>
    public static IEnumerable<OpSample> AvgPool2d()
    {
        yield return Sample(F32, [2, 3, 8, 8], Window([2]));
        yield return Sample(F32, [2, 3, 7, 9], Window([3], [2], [1]));
        yield return Sample(F32, [2, 3, 7, 9], Window([3], [2], [1], countIncludePad: false));
        yield return Sample(F32, [2, 2, 7, 7], Window([2], [2], ceil: true));
        // The last window hangs past the right padding: the divisor counts the padding but not the overhang.
        yield return Sample(F32, [1, 2, 6, 6], Window([3], [2], [1], ceil: true));
        yield return Sample(F32, [1, 2, 6, 6], Window([3], [2], [1], ceil: true, countIncludePad: false));
        yield return Sample(F32, [1, 2, 5, 7], Window([3, 2], [2, 1], [1, 0], divisor: 4));
        yield return Sample(F32, [1, 2, 5, 7], Window([2], divisor: -3));
        yield return Sample(F32, [3, 8, 8], Window([2]));
        yield return Sample(F32, [2, 3, 8, 8], Window([3], [1], [1]), T);
        yield return Sample(F32, [2, 3, 6, 10], Window([2, 3], [1, 2]), S);
        yield return Sample(F32, [3, 2, 5, 5], Window([2], [1]), E);
        yield return Sample(F32, [0, 3, 4, 4], Window([2]));
        yield return Sample(F32, [1, 1, 5, 5], Window([5]));
        yield return Sample(F32, [2, 4, 17, 19], Window([3], [2], [1], ceil: true, countIncludePad: false));
        yield return Sample(F32, [1, 1, 4, 4], Window([2], padding: [2]));
        yield return Sample(F32, [1, 1, 2, 2], Window([3]));
        yield return Sample(F32, [2, 0, 4, 4], Window([2]));
        yield return Sample(F32, [4, 4], Window([2]));
        yield return Sample(F32, [1, 1, 4, 4], Window([2], divisor: 0));
        yield return Sample(F32, [1, 1, 4, 4], Window([2, 2, 2]));
        yield return Sample(F32, [1, 1, 4, 4], Window([2], [0]));
        yield return Sample(F64, [2, 3, 7, 9], Window([3], [2], [1], countIncludePad: false));
        yield return Sample(F16, [2, 3, 8, 8], Window([2]), averages: true);
        yield return Sample(F16, [1, 2, 7, 7], Window([3], [2], [1], ceil: true), averages: true);
        yield return Sample(BF16, [2, 3, 7, 9], Window([3], [2], [1]), averages: true);
        yield return Sample(I64, [2, 3, 7, 9], Window([3], [2], [1]));
        yield return Sample(I64, [1, 2, 5, 7], Window([2], divisor: -3));
    }

    /// <summary>Samples of avg_pool1d.</summary>
    public static IEnumerable<OpSample> AvgPool1d()
    {
        yield return Sample(F32, [2, 3, 10], Window([2]));
        yield return Sample(F32, [2, 3, 11], Window([3], [2], [1]));
        yield return Sample(F32, [2, 3, 11], Window([3], [2], [1], countIncludePad: false));
        yield return Sample(F32, [1, 2, 6], Window([3], [2], [1], ceil: true));
        yield return Sample(F32, [1, 2, 6], Window([3], [2], [1], ceil: true, countIncludePad: false));
        yield return Sample(F32, [3, 10], Window([3]));
        yield return Sample(F32, [2, 3, 10], Window([3], [1], [1]), T);
        yield return Sample(F32, [2, 3, 10], Window([2]), S);
        yield return Sample(F32, [3, 2, 9], Window([3], [2]), E);
        yield return Sample(F32, [0, 3, 5], Window([2]));
        yield return Sample(F32, [2, 0, 4], Window([2]));
        yield return Sample(F32, [3, 0], Window([1]));
        yield return Sample(F32, [4], Window([2]));
        yield return Sample(F32, [1, 1, 4], Window([2], padding: [2]));
        yield return Sample(F32, [1, 1, 2], Window([3]));
        yield return Sample(F32, [1, 1, 4], Window([2, 2]));
        yield return Sample(F64, [2, 3, 11], Window([3], [2], [1]));
        yield return Sample(F16, [2, 3, 10], Window([2]), averages: true);
        yield return Sample(BF16, [2, 3, 11], Window([3], [2], [1], ceil: true), averages: true);
        yield return Sample(I64, [2, 3, 11], Window([3], [2], [1]));
    }

    /// <summary>Samples of adaptive_avg_pool2d, including the sizes PyTorch computes as a mean over the last two dims (1×1).</summary>
    public static IEnumerable<OpSample> AdaptiveAvgPool2d()
    {
        yield return Sample(F32, [2, 3, 7, 9], Output(3L));
        yield return Sample(F32, [2, 3, 8, 10], Output(new long[] { 4, 5 }));
        yield return Sample(F32, [1, 2, 3, 4], Output(new long[] { 5, 7 }));
        yield return Sample(F32, [1, 2, 13, 11], Output(new long[] { 5, 4 }));
        yield return Sample(F32, [2, 3, 7, 9], Output(new long[] { 1, 1 }));
        yield return Sample(F32, [2, 3, 5, 6], Output(1L));
        yield return Sample(F32, [4, 4], Output(1L));
        yield return Sample(F32, [2, 1, 2, 4, 4], Output(1L));
        yield return Sample(F32, [2, 3, 0, 4], Output(1L));
        yield return Sample(F32, [2, 3, 5, 5], Output(0L));
        yield return Sample(F32, [2, 3, 5, 5], Output(new long[] { 0, 3 }));
        yield return Sample(F32, [0, 3, 4, 4], Output(2L));
        yield return Sample(F32, [2, 0, 4, 4], Output(2L));
        yield return Sample(F32, [3, 7, 9], Output(new long[] { 2, 4 }));
        yield return Sample(F32, [2, 3, 9, 7], Output(new long[] { 4, 3 }), T);
        yield return Sample(F32, [2, 3, 6, 10], Output(4L), S);
        yield return Sample(F32, [3, 2, 5, 5], Output(new long[] { 3, 2 }), E);
        yield return Sample(F32, [2, 3, 0, 4], Output(2L));
        yield return Sample(F32, [4, 4], Output(2L));
        yield return Sample(F32, [1, 1, 4, 4], Output(-1L));
        yield return Sample(F32, [1, 2, 4, 4], Output(new long[] { 3 }));
        yield return Sample(F32, [1, 2, 4, 4], Output(new long[] { 3, 3, 3 }));
        yield return Sample(F32, [1, 1, 2, 4, 4], Output(2L));
        yield return Sample(F64, [2, 3, 7, 9], Output(3L));
        yield return Sample(F16, [2, 3, 7, 9], Output(new long[] { 4, 5 }), averages: true);
        yield return Sample(BF16, [2, 3, 7, 9], Output(3L), averages: true);
        yield return Sample(BF16, [2, 3, 7, 9], Output(1L), averages: true);
    }

    /// <summary>Samples of adaptive_avg_pool1d.</summary>
    public static IEnumerable<OpSample> AdaptiveAvgPool1d()
    {
        yield return Sample(F32, [2, 3, 10], Output(new long[] { 4 }));
        yield return Sample(F32, [3, 7], Output(3L));
        yield return Sample(F32, [2, 3, 10], Output(1L));
        yield return Sample(F32, [2, 3, 0], Output(1L));
        yield return Sample(F32, [2, 3, 5], Output(7L));
        yield return Sample(F32, [2, 3, 5], Output(0L));
        yield return Sample(F32, [0, 3, 5], Output(2L));
        yield return Sample(F32, [0, 4], Output(2L));
        yield return Sample(F32, [2, 3, 10], Output(3L), T);
        yield return Sample(F32, [2, 3, 10], Output(4L), S);
        yield return Sample(F32, [3, 2, 9], Output(4L), E);
        yield return Sample(F32, [2, 3, 0], Output(2L));
        yield return Sample(F32, [1, 2, 3, 4], Output(2L));
        yield return Sample(F32, [4], Output(2L));
        yield return Sample(F32, [2, 3, 4], Output(new long[] { 2, 2 }));
        yield return Sample(F32, [2, 3, 4], Output(-1L));
        yield return Sample(F64, [2, 3, 10], Output(4L));
        yield return Sample(F16, [2, 3, 10], Output(4L), averages: true);
        yield return Sample(BF16, [2, 3, 10], Output(3L), averages: true);
    }

    /// <summary>Samples of adaptive_max_pool2d and adaptive_max_pool2d_with_indices.</summary>
    public static IEnumerable<OpSample> AdaptiveMaxPool2d()
    {
        yield return Sample(F32, [2, 3, 7, 9], Output(3L));
        yield return Sample(F32, [2, 3, 8, 10], Output(new long[] { 4, 5 }));
        yield return Sample(F32, [1, 2, 3, 4], Output(new long[] { 5, 7 }));
        yield return Sample(F32, [1, 2, 13, 11], Output(new long[] { 5, 4 }));
        yield return Sample(F32, [2, 3, 5, 5], Output(0L));
        yield return Sample(F32, [0, 3, 4, 4], Output(2L));
        yield return Sample(F32, [3, 7, 9], Output(new long[] { 2, 4 }));
        yield return Sample(F32, [0, 4, 4], Output(2L));
        yield return Sample(F32, [2, 3, 9, 7], Output(new long[] { 4, 3 }), T);
        yield return Sample(F32, [2, 3, 6, 10], Output(4L), S);
        yield return Sample(F32, [3, 2, 5, 5], Output(new long[] { 3, 2 }), E);
        yield return Sample(F32, [2, 3, 6, 6], Output(4L), domain: SampleDomain.Special);
        yield return Sample(F32, [2, 3, 6, 6], Output(new long[] { 3, 2 }), domain: SampleDomain.Special);
        yield return Sample(F32, [2, 0, 4, 4], Output(2L));
        yield return Sample(F32, [2, 3, 0, 4], Output(2L));
        yield return Sample(F32, [1, 1, 4, 4], Output(-1L));
        yield return Sample(F32, [4, 4], Output(2L));
        yield return Sample(F32, [1, 2, 4, 4], Output(new long[] { 3 }));
        yield return Sample(F64, [2, 3, 7, 9], Output(3L));
        yield return Sample(F16, [2, 3, 7, 9], Output(new long[] { 4, 5 }));
        yield return Sample(BF16, [2, 3, 7, 9], Output(3L));
    }

    /// <summary>Samples of adaptive_max_pool1d and adaptive_max_pool1d_with_indices.</summary>
    public static IEnumerable<OpSample> AdaptiveMaxPool1d()
    {
        yield return Sample(F32, [2, 3, 10], Output(4L));
        yield return Sample(F32, [3, 7], Output(new long[] { 3 }));
        yield return Sample(F32, [2, 3, 5], Output(7L));
        yield return Sample(F32, [2, 3, 5], Output(0L));
        yield return Sample(F32, [0, 3, 5], Output(2L));
        yield return Sample(F32, [0, 4], Output(2L));
        yield return Sample(F32, [2, 3, 10], Output(3L), T);
        yield return Sample(F32, [2, 3, 10], Output(4L), S);
        yield return Sample(F32, [2, 3, 9], Output(4L), domain: SampleDomain.Special);
        yield return Sample(F32, [2, 0, 4], Output(2L));
        yield return Sample(F32, [2, 3, 0], Output(2L));
        yield return Sample(F32, [1, 2, 3, 4], Output(2L));
        yield return Sample(F32, [2, 3, 4], Output(-1L));
        yield return Sample(F64, [2, 3, 10], Output(4L));
        yield return Sample(F16, [2, 3, 10], Output(3L));
        yield return Sample(BF16, [2, 3, 10], Output(3L));
    }

    private static Attrs Resize(string mode, object? size = null, double? scale = null, bool? alignCorners = null, bool? recompute = null)
    {
        var attrs = new Attrs { { "mode", mode } };
        if (size is not null) attrs.Add("size", size);
        if (scale is not null) attrs.Add("scale_factor", scale.Value);
        if (alignCorners is not null) attrs.Add("align_corners", alignCorners.Value);
        if (recompute is not null) attrs.Add("recompute_scale_factor", recompute.Value);
        return attrs;
    }

    /// <summary>Samples of interpolate: each mode with sizes and scale factors up and down, and the calls PyTorch rejects.</summary>
    public static IEnumerable<OpSample> Interpolate()
    {
        const string Nearest = "nearest", Exact = "nearest-exact", Linear = "linear", Bilinear = "bilinear";
        Tolerance? Tol(DType d) => d is F16 or BF16 ? LowPrecision : null;
        OpSample Resample(DType d, long[] shape, Attrs attrs, SampleLayout layout = C) => new([new TensorSpec(d, shape, layout)], attrs, Tol(d));

        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, new long[] { 6, 7 }));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, 8L));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, scale: 2.0));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, scale: 1.5));
        yield return Resample(F32, [2, 3, 6, 7], Resize(Nearest, scale: 0.5));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, scale: 1.7, recompute: true));
        yield return Resample(F32, [2, 3, 6, 7], Resize(Nearest, new long[] { 3, 5 }));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, new long[] { 4, 5 }));
        yield return Resample(F32, [2, 3, 5], Resize(Nearest, scale: 2.5));
        yield return Resample(F32, [2, 3, 5], Resize(Nearest, new long[] { 12 }));
        yield return Resample(F32, [1, 2, 2, 3, 4], Resize(Nearest, new long[] { 3, 4, 5 }));
        yield return Resample(F32, [1, 2, 2, 3, 4], Resize(Nearest, scale: 1.5));
        yield return Resample(F32, [0, 2, 3, 3], Resize(Nearest, scale: 2.0));
        yield return Resample(F32, [2, 3, 5, 4], Resize(Nearest, new long[] { 7, 6 }), T);
        yield return Resample(F32, [2, 3, 4, 6], Resize(Nearest, scale: 1.5), S);
        yield return Resample(F32, [3, 2, 4, 5], Resize(Nearest, new long[] { 5, 5 }), E);
        yield return Resample(F32, [2, 3, 4, 5], Resize(Exact, new long[] { 7, 3 }));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Exact, scale: 1.5));
        yield return Resample(F32, [2, 3, 5], Resize(Exact, 8L));
        yield return Resample(F32, [1, 2, 2, 3, 4], Resize(Exact, new long[] { 3, 4, 5 }));
        yield return Resample(F32, [2, 3, 5], Resize(Linear, 8L));
        yield return Resample(F32, [2, 3, 5], Resize(Linear, 8L, alignCorners: true));
        yield return Resample(F32, [2, 3, 5], Resize(Linear, scale: 1.7));
        yield return Resample(F32, [2, 3, 5], Resize(Linear, scale: 1.7, alignCorners: true));
        yield return Resample(F32, [2, 3, 7], Resize(Linear, 3L));
        yield return Resample(F32, [2, 3, 5], Resize(Linear, 5L));
        yield return Resample(F32, [2, 3, 5], Resize(Linear, scale: 2.0, recompute: true));
        yield return Resample(F32, [2, 5, 3], Resize(Linear, 7L), T);
        yield return Resample(F32, [0, 3, 5], Resize(Linear, 8L));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Bilinear, new long[] { 7, 9 }));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Bilinear, new long[] { 7, 9 }, alignCorners: true));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Bilinear, scale: 2.0));
        yield return Resample(F32, [2, 3, 6, 7], Resize(Bilinear, scale: 0.6));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Bilinear, new long[] { 4, 8 }));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Bilinear, 1L, alignCorners: true));
        yield return Resample(F32, [2, 3, 6, 7], Resize(Bilinear, new long[] { 2, 3 }));
        yield return Resample(F32, [2, 3, 6, 7], Resize(Bilinear, new long[] { 4, 3 }, alignCorners: true));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Bilinear, scale: 1.7, recompute: true));
        yield return Resample(F32, [2, 3, 5, 4], Resize(Bilinear, new long[] { 6, 7 }), T);
        yield return Resample(F32, [2, 3, 4, 6], Resize(Bilinear, scale: 1.5), S);
        yield return Resample(F32, [3, 2, 4, 5], Resize(Bilinear, new long[] { 5, 8 }, alignCorners: true), E);
        yield return Resample(F32, [0, 3, 4, 4], Resize(Bilinear, 6L));
        yield return Resample(F32, [1, 1, 1, 1], Resize(Bilinear, new long[] { 3, 3 }));
        yield return Resample(F32, [2, 3, 17, 23], Resize(Bilinear, new long[] { 31, 40 }));
        foreach (var d in new[] { F64, F16, BF16, U8 })
        {
            yield return Resample(d, [2, 3, 4, 5], Resize(Nearest, new long[] { 6, 7 }));
            yield return Resample(d, [2, 3, 4, 5], Resize(Nearest, scale: 1.5));
        }
        foreach (var d in new[] { F64, F16, BF16 })
            yield return Resample(d, [2, 3, 4, 5], Resize(Bilinear, new long[] { 7, 9 }));
        yield return Resample(F64, [2, 3, 5], Resize(Linear, scale: 1.7, alignCorners: true));
        yield return Resample(U8, [2, 3, 4, 5], Resize(Bilinear, new long[] { 7, 9 }));
        yield return Resample(F32, [2, 3, 4, 5], new Attrs { { "mode", Nearest }, { "size", new long[] { 6, 7 } }, { "scale_factor", 2.0 } });
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, 6L, alignCorners: false));
        yield return Resample(F32, [2, 3, 5], Resize(Bilinear, 6L));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Linear, 6L));
        yield return Resample(F32, [3, 5], Resize(Nearest, 6L));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, new long[] { 6 }));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, scale: 0.2));
        yield return Resample(F32, [2, 0, 3, 3], Resize(Nearest, 4L));
        yield return Resample(F32, [2, 3, 0, 3], Resize(Bilinear, 4L));
        yield return Resample(F32, [2, 3, 4, 5], Resize(Nearest, 6L, recompute: true));
        yield return Resample(F32, [2, 3, 4, 5], Resize("cubic", 6L));
    }

    /// <summary>Samples of pixel_shuffle (factor <c>upscale_factor</c>) or pixel_unshuffle (<c>downscale_factor</c>).</summary>
    public static IEnumerable<OpSample> Shuffle(string op, string factor)
    {
        bool up = op == "pixel_shuffle";
        Attrs By(long r) => new() { { factor, r } };
        yield return Sample(F32, up ? [1, 8, 3, 4] : [1, 2, 6, 4], By(2));
        yield return Sample(F32, up ? [2, 9, 2, 3] : [2, 1, 6, 9], By(3));
        yield return Sample(F32, up ? [8, 2, 3] : [2, 6, 4], By(2));
        yield return Sample(F32, up ? [2, 1, 4, 2, 2] : [2, 1, 1, 4, 4], By(2));
        yield return Sample(F32, [1, 4, 2, 2], By(1));
        // torch 1.13's pixel_unshuffle returns an empty input unchanged, in its own shape (Kiln gives the
        // documented [*, C·r², H/r, W/r], tested in PoolingTests), so only pixel_shuffle's empty inputs are samples.
        if (up)
        {
            yield return Sample(F32, [0, 4, 2, 2], By(2));
            yield return Sample(F32, [1, 4, 0, 2], By(2));
        }
        yield return Sample(F32, up ? [1, 8, 4, 3] : [1, 2, 4, 6], By(2), T);
        yield return Sample(F32, up ? [1, 4, 3, 4] : [1, 2, 4, 8], By(2), S);
        yield return Sample(F32, up ? [3, 4, 2, 2] : [3, 1, 4, 4], By(2), E);
        foreach (var d in new[] { F64, F16, BF16, I64, I32, I16, I8, U8, DType.Bool })
            yield return Sample(d, up ? [1, 8, 3, 4] : [1, 2, 6, 4], By(2));
        yield return Sample(F32, up ? [1, 3, 2, 2] : [1, 1, 3, 2], By(2));
        if (!up) yield return Sample(F32, [1, 1, 4, 3], By(2));
        yield return Sample(F32, [1, 4, 2, 2], By(0));
        yield return Sample(F32, [1, 4, 2, 2], By(-2));
        yield return Sample(F32, [4, 4], By(2));
    }

    /// <summary>
    /// Samples of a backward op: the forward's float32/float64 samples that torch accepts (the first eight), each as
    /// (grad_output shaped like the forward's output, input[, int64 indices into the input plane]), and a grad_output
    /// of the wrong shape.
    /// </summary>
    public static IEnumerable<OpSample> Backward(OpDef forward, bool withIndices)
    {
        ArgumentNullException.ThrowIfNull(forward);
        OpSample? first = null;
        int count = 0;
        foreach (var sample in forward.Samples().Where(x => x.Inputs.Count == 1 && x.Inputs[0].DType is F32 or F64).Take(40))
        {
            var input = sample.Inputs[0];
            long[] output;
            try
            {
                output = forward.InferTypes([new TensorType(input.DType, input.Shape)], sample.Attrs)[0].Shape;
            }
            catch (ArgumentException)
            {
                continue;
            }
            if (Shapes.Numel(output) == 0 || input.Shape.Length is not (3 or 4)) continue;
            var grad = new TensorSpec(input.DType, output);
            var operand = input with { Domain = SampleDomain.Any };
            var backward = withIndices
                ? new OpSample([grad, operand, new TensorSpec(I64, output, C, SampleDomain.Index, input.Shape[^2] * input.Shape[^1])], sample.Attrs)
                : new OpSample([grad, operand], sample.Attrs, sample.Tolerance);
            first ??= backward;
            yield return backward;
            if (++count == 8) break;
        }
        if (first is not null)
            yield return first with { Inputs = [first.Inputs[0] with { Shape = [.. first.Inputs[0].Shape[..^1], first.Inputs[0].Shape[^1] + 1] }, .. first.Inputs.Skip(1)] };
    }
}
