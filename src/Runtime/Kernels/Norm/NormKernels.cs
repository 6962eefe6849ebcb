using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Norm;

/// <summary>
/// The eager entry points of the normalisation ops: inputs checked by <see cref="NormRules"/> (the type
/// rules' own code), float16 and bfloat16 computed in float32 and rounded once, non-contiguous inputs made
/// contiguous, results in the input's dtype.
/// </summary>
/// <remarks>
/// batch_norm and instance_norm are functional here: they return the updated running statistics (null when
/// none were given) and change nothing; <c>Functional.BatchNorm</c> and <c>Functional.InstanceNorm</c> write
/// them into the caller's tensors, as PyTorch does, and the op table returns them as results.
/// </remarks>
internal static class NormKernels
{
    /// <summary>batch_norm: the output and, when running statistics are given, their new values.</summary>
    internal static (Tensor Out, Tensor? NewMean, Tensor? NewVar) BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar,
        Tensor? weight, Tensor? bias, bool training, double momentum, double eps)
    {
        NormRules.BatchNorm(TypeOf(input), OptionalType(runningMean), OptionalType(runningVar), OptionalType(weight), OptionalType(bias), training);
        var (n, c, l) = ChannelView(input);
        var x = ComputeInput(input);
        var y = Tensor.Empty(x.DType, input.Shape);
        double[]? mean = Values(runningMean), variance = Values(runningVar);
        double[]? newMean = mean, newVar = variance;
        if (input.Numel > 0)
        {
            if (training)
            {
                var batch = x.DType == DType.Float64 ? ChannelKernels.Moments<double>(x, n, c, l) : ChannelKernels.Moments<float>(x, n, c, l);
                if (mean is not null && variance is not null)
                {
                    // The running variance is updated with the unbiased batch variance, as in PyTorch.
                    double count = n * l, unbias = count / (count - 1);
                    newMean = Blend(mean, batch.Mean, momentum, 1);
                    newVar = Blend(variance, batch.Variance, momentum, unbias);
                }
                (mean, variance) = batch;
            }
            var (scale, shift) = Coefficients(mean!, variance!, Values(weight), Values(bias), eps);
            if (x.DType == DType.Float64) ChannelKernels.ScaleShift<double>(x, y, n, c, l, scale, shift);
            else ChannelKernels.ScaleShift<float>(x, y, n, c, l, scale, shift);
        }
        return (y.To(input.DType), ToTensor(newMean, input.DType), ToTensor(newVar, input.DType));
    }

    /// <summary>
    /// instance_norm: the output and, when running statistics are given, their new values: each instance's
    /// update (as batch_norm's, over its own spatial values) averaged over the batch, as PyTorch computes them,
    /// so an empty batch gives NaN.
    /// </summary>
    internal static (Tensor Out, Tensor? NewMean, Tensor? NewVar) InstanceNorm(Tensor input, Tensor? runningMean, Tensor? runningVar,
        Tensor? weight, Tensor? bias, bool useInputStats, double momentum, double eps)
    {
        NormRules.InstanceNorm(TypeOf(input), OptionalType(runningMean), OptionalType(runningVar), OptionalType(weight), OptionalType(bias), useInputStats);
        var (n, c, l) = ChannelView(input);
        var x = ComputeInput(input);
        var y = Tensor.Empty(x.DType, input.Shape);
        double[]? mean = Values(runningMean), variance = Values(runningVar), w = Values(weight), b = Values(bias);
        double[]? rowMean = null, rowVar = null;
        if (!useInputStats && input.Numel > 0)
        {
            var (scale, shift) = Coefficients(mean!, variance!, w, b, eps);
            if (x.DType == DType.Float64) ChannelKernels.ScaleShift<double>(x, y, n, c, l, scale, shift);
            else ChannelKernels.ScaleShift<float>(x, y, n, c, l, scale, shift);
        }
        else if (input.Numel > 0)
        {
            rowMean = new double[n * c];
            rowVar = new double[n * c];
            if (x.DType == DType.Float64) RowNormKernels.Grouped<double>(x, y, n, c, l, c, w, b, eps, rowMean, rowVar);
            else RowNormKernels.Grouped<float>(x, y, n, c, l, c, w, b, eps, rowMean, rowVar);
        }
        if (mean is null || variance is null)
            return (y.To(input.DType), null, null);
        // rowMean is set only when the instances' statistics were taken; otherwise each instance keeps the running values.
        double unbias = l / (l - 1.0);
        var newMean = AverageOverBatch(mean, rowMean, n, momentum, 1);
        var newVar = AverageOverBatch(variance, rowVar, n, momentum, unbias);
        return (y.To(input.DType), ToTensor(newMean, input.DType), ToTensor(newVar, input.DType));
    }

    /// <summary>layer_norm (or rms_norm when <paramref name="rms"/>) over the trailing <paramref name="normalizedShape"/> dims.</summary>
    internal static Tensor LayerNorm(string op, Tensor input, long[] normalizedShape, Tensor? weight, Tensor? bias, double eps, bool rms)
    {
        NormRules.LayerNorm(op, TypeOf(input), normalizedShape, OptionalType(weight), OptionalType(bias));
        var x = ComputeInput(input);
        var y = Tensor.Empty(x.DType, input.Shape);
        long length = Shapes.Numel(normalizedShape);
        if (input.Numel > 0)
        {
            long rows = input.Numel / length;
            Tensor? w = ComputeParam(weight, x.DType), b = ComputeParam(bias, x.DType);
            if (x.DType == DType.Float64) RowNormKernels.Trailing<double>(x, y, rows, checked((int)length), w, b, eps, rms);
            else RowNormKernels.Trailing<float>(x, y, rows, checked((int)length), w, b, eps, rms);
        }
        return y.To(input.DType);
    }

    /// <summary>group_norm with <paramref name="numGroups"/> groups of channels.</summary>
    internal static Tensor GroupNorm(Tensor input, long numGroups, Tensor? weight, Tensor? bias, double eps)
    {
        NormRules.GroupNorm(TypeOf(input), numGroups, OptionalType(weight), OptionalType(bias));
        var (n, c, l) = ChannelView(input);
        var x = ComputeInput(input);
        var y = Tensor.Empty(x.DType, input.Shape);
        if (input.Numel > 0)
        {
            double[]? w = Values(weight), b = Values(bias);
            if (x.DType == DType.Float64) RowNormKernels.Grouped<double>(x, y, n, c, l, numGroups, w, b, eps);
            else RowNormKernels.Grouped<float>(x, y, n, c, l, numGroups, w, b, eps);
        }
        return y.To(input.DType);
    }

    /// <summary>running·(1 - momentum) + batch·unbias·momentum, per channel.</summary>
    private static double[] Blend(double[] running, double[] batch, double momentum, double unbias)
    {
        var result = new double[running.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = (1 - momentum) * running[i] + momentum * batch[i] * unbias;
        return result;
    }

    /// <summary>
    /// The mean over the n instances of each channel's updated running value (the running value itself where
    /// <paramref name="rowStats"/> is null: no statistics were taken).
    /// </summary>
    private static double[] AverageOverBatch(double[] running, double[]? rowStats, long n, double momentum, double unbias)
    {
        long c = running.Length;
        var result = new double[c];
        for (long ch = 0; ch < c; ch++)
        {
            double total = 0;
            for (long i = 0; i < n; i++)
                total += rowStats is null ? running[ch] : (1 - momentum) * running[ch] + momentum * rowStats[i * c + ch] * unbias;
            result[ch] = total / n;
        }
        return result;
    }

    /// <summary>Each channel's scale weight/sqrt(var + eps) and shift bias - mean·scale.</summary>
    private static (double[] Scale, double[] Shift) Coefficients(double[] mean, double[] variance, double[]? weight, double[]? bias, double eps)
    {
        var scale = new double[mean.Length];
        var shift = new double[mean.Length];
        for (int ch = 0; ch < mean.Length; ch++)
        {
            scale[ch] = (weight?[ch] ?? 1) / Math.Sqrt(variance[ch] + eps);
            shift[ch] = (bias?[ch] ?? 0) - mean[ch] * scale[ch];
        }
        return (scale, shift);
    }

    /// <summary>The input as [n, c, l]: batch, channels and the product of the spatial dims.</summary>
    private static (long N, long C, long L) ChannelView(Tensor input) =>
        (input.shape[0], input.shape[1], Shapes.Numel(input.shape.AsSpan(2)));

    /// <summary>The input in its compute dtype (float32 for float16 and bfloat16), contiguous.</summary>
    private static Tensor ComputeInput(Tensor input) =>
        input.DType is DType.Float16 or DType.BFloat16 ? input.To(DType.Float32) : input.Contiguous();

    /// <summary>An elementwise parameter in the compute dtype, contiguous.</summary>
    private static Tensor? ComputeParam(Tensor? param, DType compute) =>
        param is null ? null : param.DType == compute ? param.Contiguous() : param.To(compute);

    /// <summary>A per-channel vector's values in double.</summary>
    private static double[]? Values(Tensor? vector) => vector?.To(DType.Float64).ToArray<double>();

    private static Tensor? ToTensor(double[]? values, DType dtype) => values is null ? null : Tensor.FromArray(values, values.Length).To(dtype);

    private static TensorType TypeOf(Tensor t) => new(t.DType, t.shape);

    private static TensorType? OptionalType(Tensor? t) => t is null ? null : TypeOf(t);
}
