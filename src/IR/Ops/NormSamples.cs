namespace Kiln.IR.Ops;

/// <summary>
/// OpInfo samples of the normalisation ops: [N, C], [N, C, L] and [N, C, H, W] inputs, non-contiguous
/// layouts, empty batches, channels and spatial dims, with and without weight, bias and running statistics,
/// training and evaluation, every float dtype, and the calls PyTorch rejects.
/// </summary>
public static class NormSamples
{
    private const DType F = DType.Float32, D = DType.Float64;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;
    private static readonly DType[] LowPrecision = [DType.Float16, DType.BFloat16];

    /// <summary>Which of the optional per-channel or elementwise parameters a sample passes.</summary>
    private enum Affine { None, Weight, WeightAndBias }

    /// <summary>Samples of batch_norm.</summary>
    public static IEnumerable<OpSample> BatchNorm()
    {
        // The first sample passes every input (the bad-input checks append one more to it).
        yield return Channel(F, [4, 3, 5, 6], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [4, 3, 5, 6], C, true, Affine.WeightAndBias, Training(false));
        yield return Channel(F, [5, 3], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [5, 3], C, true, Affine.WeightAndBias, Training(false));
        yield return Channel(F, [4, 3, 7], C, true, Affine.None, Training(true));
        yield return Channel(F, [4, 3, 7], C, false, Affine.None, Training(true));
        yield return Channel(F, [4, 3, 7], C, true, Affine.Weight, Training(false));
        yield return Channel(F, [2, 3, 4, 5], T, true, Affine.Weight, Training(true));
        yield return Channel(F, [3, 4, 6], S, true, Affine.WeightAndBias, Training(false));
        yield return Channel(F, [3, 4, 6], S, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [3, 4, 5], E, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [64, 40], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [16, 12, 3], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [16, 12, 3], C, true, Affine.WeightAndBias, Training(false));
        yield return Channel(F, [4, 6, 16, 17], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [1, 3, 2], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [1, 3], C, true, Affine.WeightAndBias, Training(false));
        yield return Channel(F, [4, 3, 5], C, true, Affine.WeightAndBias, Training(true, momentum: 0.0));
        yield return Channel(F, [4, 3, 5], C, true, Affine.WeightAndBias, Training(true, momentum: 1.0));
        yield return Channel(F, [4, 3, 5], C, true, Affine.WeightAndBias, Training(true, momentum: 0.3, eps: 1e-3));
        yield return Channel(F, [4, 3, 5], C, true, Affine.WeightAndBias, Training(false, eps: 0.5));
        // Empty batches, channels and spatial dims: no statistics to take, so the running ones stay as they are.
        yield return Channel(F, [0, 3, 4], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [0, 3], C, true, Affine.WeightAndBias, Training(false));
        // No channels: no weight (PyTorch 1.13 reads weight[0] of an empty batch's weight and fails).
        yield return Channel(F, [2, 0, 3], C, true, Affine.None, Training(true));
        yield return Channel(F, [2, 3, 0], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(D, [4, 3, 5], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(D, [4, 3, 5], T, true, Affine.WeightAndBias, Training(false));
        yield return Channel(D, [6, 4], C, false, Affine.None, Training(true));
        foreach (var d in LowPrecision)
        {
            yield return Channel(d, [4, 3, 5], C, true, Affine.WeightAndBias, Training(true));
            yield return Channel(d, [4, 3, 5], C, true, Affine.WeightAndBias, Training(false));
            yield return Channel(d, [6, 4], C, false, Affine.None, Training(true));
        }
        // Calls PyTorch rejects.
        yield return Channel(F, [1, 3], C, true, Affine.WeightAndBias, Training(true));
        yield return Channel(F, [1, 3, 1, 1], C, false, Affine.None, Training(true));
        yield return Channel(F, [4, 3, 5], C, false, Affine.None, Training(false));
        yield return Custom(Training(true), X(F, [4, 3, 5]), Vec(F, 4), Vec(F, 4, SampleDomain.Positive));
        yield return Custom(Training(false), X(F, [4, 3, 5]), Vec(F, 3), Vec(F, 3, SampleDomain.Positive), Vec(F, 4));
        yield return Custom(Training(false), X(F, [4, 3, 5]), Vec(F, 3), Vec(F, 3, SampleDomain.Positive), Vec(F, 3), Vec(F, 2));
        yield return Custom(Training(false), X(F, [4, 3, 5]), Vec(D, 3), Vec(D, 3, SampleDomain.Positive));
        yield return Custom(Training(false), X(F, [3]), Vec(F, 3), Vec(F, 3, SampleDomain.Positive));
    }

    /// <summary>Samples of instance_norm.</summary>
    public static IEnumerable<OpSample> InstanceNorm()
    {
        yield return Channel(F, [2, 3, 5], C, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 3, 5], C, true, Affine.WeightAndBias, InputStats(false));
        yield return Channel(F, [2, 3, 5], C, false, Affine.None, InputStats(true));
        yield return Channel(F, [2, 3, 4, 5], C, true, Affine.None, InputStats(true));
        yield return Channel(F, [2, 3, 4, 5], C, true, Affine.Weight, InputStats(false));
        yield return Channel(F, [3, 2, 4, 6], T, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 4, 6], S, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [3, 4, 5], E, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 3], C, true, Affine.WeightAndBias, InputStats(false));
        yield return Channel(F, [2, 3, 1], C, true, Affine.WeightAndBias, InputStats(false));
        yield return Channel(F, [3, 5, 2], C, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 8, 24, 24], C, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 3, 7], C, true, Affine.WeightAndBias, InputStats(true, momentum: 0.0));
        yield return Channel(F, [2, 3, 7], C, true, Affine.WeightAndBias, InputStats(true, momentum: 1.0, eps: 1e-3));
        // An empty batch averages the per-instance statistics over no instances: PyTorch's running statistics
        // become NaN. (No weight: PyTorch 1.13 reads weight[0] of the weight repeated for no instances and fails.)
        yield return Channel(F, [0, 3, 5], C, true, Affine.None, InputStats(true));
        yield return Channel(F, [2, 3, 0], C, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 0, 4], C, true, Affine.None, InputStats(true));
        yield return Channel(D, [2, 3, 5], C, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(D, [2, 3, 5], C, true, Affine.WeightAndBias, InputStats(false));
        foreach (var d in LowPrecision)
        {
            yield return Channel(d, [2, 3, 5], C, true, Affine.WeightAndBias, InputStats(true));
            yield return Channel(d, [2, 3, 5], C, false, Affine.None, InputStats(true));
        }
        yield return Channel(F, [2, 3], C, true, Affine.WeightAndBias, InputStats(true));
        yield return Channel(F, [2, 3, 1, 1], C, false, Affine.None, InputStats(true));
        yield return Channel(F, [2, 3, 5], C, false, Affine.None, InputStats(false));
        yield return Custom(InputStats(true), X(F, [2, 3, 5]), Vec(F, 4), Vec(F, 4, SampleDomain.Positive));
        yield return Custom(InputStats(true), X(F, [2, 3, 5]), Vec(F, 3), Vec(F, 3, SampleDomain.Positive), Vec(F, 4));
    }

    /// <summary>Samples of layer_norm.</summary>
    public static IEnumerable<OpSample> LayerNorm()
    {
        yield return Trailing(F, [2, 3, 5], C, [5], Affine.WeightAndBias);
        yield return Trailing(F, [2, 3, 5], C, [3, 5], Affine.WeightAndBias);
        yield return Trailing(F, [2, 3, 5], C, [2, 3, 5], Affine.None);
        yield return Trailing(F, [4, 7], C, [7], Affine.Weight);
        yield return Trailing(F, [5], C, [5], Affine.WeightAndBias);
        yield return Trailing(F, [3, 4], T, [4], Affine.WeightAndBias);
        yield return Trailing(F, [2, 4, 3], T, [4, 3], Affine.WeightAndBias);
        yield return Trailing(F, [2, 3, 6], S, [6], Affine.WeightAndBias);
        yield return Trailing(F, [3, 4], E, [4], Affine.None);
        yield return Trailing(F, [37, 129], C, [129], Affine.WeightAndBias);
        yield return Trailing(F, [3, 1000], C, [1000], Affine.WeightAndBias);
        yield return Trailing(F, [4, 6], C, [6], Affine.WeightAndBias, Eps(1e-3));
        yield return Trailing(F, [0, 5], C, [5], Affine.WeightAndBias);
        yield return Trailing(F, [2, 0], C, [0], Affine.WeightAndBias);
        yield return Trailing(D, [2, 3, 5], C, [5], Affine.WeightAndBias);
        yield return Trailing(D, [4, 33], T, [33], Affine.None);
        foreach (var d in LowPrecision)
        {
            yield return Trailing(d, [2, 3, 5], C, [5], Affine.WeightAndBias);
            yield return Trailing(d, [3, 4, 6], C, [4, 6], Affine.None);
        }
        // Calls PyTorch rejects.
        yield return Custom(NormalizedShape([4]), X(F, [2, 3, 5]), Vec(F, 4), Vec(F, 4));
        yield return Custom(NormalizedShape([2, 4, 3, 5]), X(F, [4, 3, 5]));
        yield return Custom(NormalizedShape([]), X(F, [2, 3]));
        yield return Custom(NormalizedShape([5]), X(F, [2, 3, 5]), Vec(F, 4));
        yield return Custom(NormalizedShape([3, 5]), X(F, [2, 3, 5]), Vec(F, 15));
        yield return Custom(NormalizedShape([5]), X(F, [2, 3, 5]), Vec(D, 5));
    }

    /// <summary>Samples of group_norm.</summary>
    public static IEnumerable<OpSample> GroupNorm()
    {
        yield return Grouped(F, [2, 6, 5], C, 3, Affine.WeightAndBias);
        yield return Grouped(F, [2, 6, 5], C, 1, Affine.WeightAndBias);
        yield return Grouped(F, [2, 6, 5], C, 6, Affine.Weight);
        yield return Grouped(F, [2, 6, 5], C, 2, Affine.None);
        yield return Grouped(F, [3, 4], C, 2, Affine.WeightAndBias);
        yield return Grouped(F, [2, 4, 3, 5], C, 2, Affine.WeightAndBias);
        yield return Grouped(F, [2, 6, 5], S, 3, Affine.WeightAndBias);
        yield return Grouped(F, [2, 4, 6], T, 2, Affine.WeightAndBias);
        yield return Grouped(F, [3, 4, 5], E, 2, Affine.WeightAndBias);
        yield return Grouped(F, [2, 16, 12, 12], C, 4, Affine.WeightAndBias);
        yield return Grouped(F, [2, 6, 5], C, 3, Affine.WeightAndBias, Eps(1e-2));
        yield return Grouped(F, [0, 6, 5], C, 3, Affine.WeightAndBias);
        yield return Grouped(F, [2, 6, 0], C, 3, Affine.WeightAndBias);
        yield return Grouped(F, [2, 0, 3], C, 1, Affine.WeightAndBias);
        yield return Grouped(D, [2, 6, 5], C, 3, Affine.WeightAndBias);
        yield return Grouped(D, [3, 4], T, 4, Affine.None);
        foreach (var d in LowPrecision)
        {
            yield return Grouped(d, [2, 6, 5], C, 3, Affine.WeightAndBias);
            yield return Grouped(d, [2, 4, 3, 3], C, 2, Affine.None);
        }
        // Calls PyTorch rejects.
        yield return Grouped(F, [2, 6, 3], C, 4, Affine.WeightAndBias);
        yield return Custom(Groups(3), X(F, [2, 6, 3]), Vec(F, 5));
        yield return Custom(Groups(3), X(F, [2, 6, 3]), Vec(F, 6), Vec(F, 5));
        yield return Custom(Groups(3), X(F, [6]));
        yield return Custom(Groups(3), X(F, [2, 6, 3]), Vec(D, 6));
    }

    /// <summary>Samples of rms_norm (PyTorch 1.13 has no rms_norm: the oracle writes PyTorch 2.4's definition in torch ops).</summary>
    public static IEnumerable<OpSample> RmsNorm()
    {
        yield return Trailing(F, [2, 3, 5], C, [5], Affine.Weight);
        yield return Trailing(F, [2, 3, 5], C, [3, 5], Affine.Weight);
        yield return Trailing(F, [2, 3, 5], C, [2, 3, 5], Affine.None);
        yield return Trailing(F, [4, 7], C, [7], Affine.None, Eps(1e-5));
        yield return Trailing(F, [5], C, [5], Affine.Weight);
        yield return Trailing(F, [3, 4], T, [4], Affine.Weight);
        yield return Trailing(F, [2, 3, 6], S, [6], Affine.Weight);
        yield return Trailing(F, [3, 4], E, [4], Affine.Weight);
        yield return Trailing(F, [37, 129], C, [129], Affine.Weight);
        yield return Trailing(F, [3, 1000], C, [1000], Affine.Weight, Eps(1e-6));
        yield return Trailing(F, [0, 5], C, [5], Affine.Weight);
        yield return Trailing(F, [2, 0], C, [0], Affine.Weight);
        yield return Trailing(D, [2, 3, 5], C, [5], Affine.Weight);
        yield return Trailing(D, [4, 33], T, [33], Affine.None);
        foreach (var d in LowPrecision)
        {
            yield return Trailing(d, [2, 3, 5], C, [5], Affine.Weight);
            yield return Trailing(d, [3, 4, 6], C, [4, 6], Affine.None, Eps(1e-6));
        }
        // Calls PyTorch rejects.
        yield return Custom(NormalizedShape([4]), X(F, [2, 3, 5]), Vec(F, 4));
        yield return Custom(NormalizedShape([5]), X(F, [2, 3, 5]), Vec(F, 4));
        yield return Custom(NormalizedShape([]), X(F, [2, 3]));
    }

    /// <summary>
    /// A batch_norm or instance_norm sample: input [N, C, *] (any values), then, as asked, running mean (any
    /// values) and running variance (positive), weight and bias vectors of C elements. Only trailing inputs
    /// can be left off, so a weight comes with running statistics.
    /// </summary>
    private static OpSample Channel(DType dtype, long[] shape, SampleLayout layout, bool stats, Affine affine, Attrs attrs)
    {
        if (!stats && affine != Affine.None)
            throw new ArgumentException("a channel-norm sample with a weight must also pass running statistics", nameof(affine));
        long channels = shape[1];
        var inputs = new List<TensorSpec> { X(dtype, shape, layout) };
        if (stats)
        {
            inputs.Add(Vec(dtype, channels));
            inputs.Add(Vec(dtype, channels, SampleDomain.Positive));
        }
        if (affine != Affine.None) inputs.Add(Vec(dtype, channels));
        if (affine == Affine.WeightAndBias) inputs.Add(Vec(dtype, channels));
        return new OpSample(inputs, attrs);
    }

    /// <summary>A layer_norm or rms_norm sample: the weight and bias have the normalized shape.</summary>
    private static OpSample Trailing(DType dtype, long[] shape, SampleLayout layout, long[] normalizedShape, Affine affine, Attrs? attrs = null)
    {
        var all = NormalizedShape(normalizedShape);
        foreach (var (name, value) in attrs ?? Attrs.Empty) all.Add(name, value);
        var inputs = new List<TensorSpec> { X(dtype, shape, layout) };
        if (affine != Affine.None) inputs.Add(new TensorSpec(dtype, normalizedShape));
        if (affine == Affine.WeightAndBias) inputs.Add(new TensorSpec(dtype, normalizedShape));
        return new OpSample(inputs, all);
    }

    /// <summary>A group_norm sample: weight and bias vectors of C elements.</summary>
    private static OpSample Grouped(DType dtype, long[] shape, SampleLayout layout, long groups, Affine affine, Attrs? attrs = null)
    {
        var all = Groups(groups);
        foreach (var (name, value) in attrs ?? Attrs.Empty) all.Add(name, value);
        var inputs = new List<TensorSpec> { X(dtype, shape, layout) };
        if (affine != Affine.None) inputs.Add(Vec(dtype, shape[1]));
        if (affine == Affine.WeightAndBias) inputs.Add(Vec(dtype, shape[1]));
        return new OpSample(inputs, all);
    }

    private static OpSample Custom(Attrs attrs, params TensorSpec[] inputs) => new(inputs, attrs);

    private static TensorSpec X(DType dtype, long[] shape, SampleLayout layout = C) => new(dtype, shape, layout);

    private static TensorSpec Vec(DType dtype, long length, SampleDomain domain = SampleDomain.Any) => new(dtype, [length], C, domain);

    private static Attrs Training(bool training, double momentum = 0.1, double eps = 1e-5) =>
        new() { { "training", training }, { "momentum", momentum }, { "eps", eps } };

    private static Attrs InputStats(bool useInputStats, double momentum = 0.1, double eps = 1e-5) =>
        new() { { "use_input_stats", useInputStats }, { "momentum", momentum }, { "eps", eps } };

    private static Attrs NormalizedShape(long[] shape) => new() { { "normalized_shape", shape } };

    private static Attrs Groups(long groups) => new() { { "num_groups", groups } };

    private static Attrs Eps(double eps) => new() { { "eps", eps } };
}
