using System.Numerics;

namespace Kiln.Kernels.Norm;

/// <summary>
/// Normalisation over contiguous rows (layer_norm, rms_norm, group_norm, instance_norm): each row's
/// statistics in one SIMD pass, then one pass writing it while it is still in cache; rows are split
/// across threads.
/// </summary>
internal static class RowNormKernels
{
    /// <summary>
    /// layer_norm (or rms_norm when <paramref name="rms"/>) of the <paramref name="rows"/> rows of
    /// <paramref name="length"/> elements of contiguous <paramref name="x"/> into <paramref name="y"/>:
    /// (x - mean)·rstd·weight + bias, or x·rms⁻¹·weight, with an elementwise weight and bias (contiguous, or null).
    /// </summary>
    internal static void Trailing<T>(Tensor x, Tensor y, long rows, int length, Tensor? weight, Tensor? bias, double eps, bool rms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (length == 0) return;
        CpuParallel.For(rows, RowGrain(length), (first, end) =>
        {
            ReadOnlySpan<T> w = weight is null ? default : weight.Span<T>();
            ReadOnlySpan<T> b = bias is null ? default : bias.Span<T>();
            for (long r = first; r < end; r++)
            {
                var xs = x.Span<T>(r * length, length);
                var ys = y.Span<T>(r * length, length);
                double sum = 0, sumSq = 0;
                if (rms)
                {
                    ShiftedSums.Accumulate(xs, 0, ref sum, ref sumSq);
                    double scale = 1 / Math.Sqrt(sumSq / length + eps);
                    AffineRows.ScaleShiftAffine(xs, ys, T.CreateTruncating(scale), T.Zero, w, default);
                }
                else
                {
                    double shift = double.CreateTruncating(xs[0]);
                    ShiftedSums.Accumulate(xs, shift, ref sum, ref sumSq);
                    var (mean, variance) = ShiftedSums.Moments(length, shift, sum, sumSq);
                    double rstd = 1 / Math.Sqrt(variance + eps);
                    AffineRows.ScaleShiftAffine(xs, ys, T.CreateTruncating(rstd), T.CreateTruncating(-mean * rstd), w, b);
                }
            }
        });
    }

    /// <summary>
    /// group_norm of contiguous <paramref name="x"/> viewed as [n, c, l] into <paramref name="y"/>: each
    /// sample's <paramref name="groups"/> groups of c/groups adjacent channels form one row, normalised with
    /// its own mean and variance, then each channel is scaled by its weight and shifted by its bias (null: 1
    /// and 0). Each row's mean and biased variance go to <paramref name="rowMean"/> and
    /// <paramref name="rowVariance"/> when given (instance_norm's running statistics need them).
    /// </summary>
    internal static void Grouped<T>(Tensor x, Tensor y, long n, long c, long l, long groups, double[]? weight, double[]? bias, double eps,
        double[]? rowMean = null, double[]? rowVariance = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long channels = c / groups;
        int length = checked((int)(channels * l)), plane = (int)l;
        if (length == 0) return;
        CpuParallel.For(n * groups, RowGrain(length), (first, end) =>
        {
            for (long r = first; r < end; r++)
            {
                var xs = x.Span<T>(r * length, length);
                double shift = double.CreateTruncating(xs[0]), sum = 0, sumSq = 0;
                ShiftedSums.Accumulate(xs, shift, ref sum, ref sumSq);
                var (mean, variance) = ShiftedSums.Moments(length, shift, sum, sumSq);
                if (rowMean is not null) rowMean[r] = mean;
                if (rowVariance is not null) rowVariance[r] = variance;
                double rstd = 1 / Math.Sqrt(variance + eps);
                long firstChannel = r % groups * channels;
                for (long k = 0; k < channels; k++)
                {
                    long ch = firstChannel + k;
                    double scale = rstd * (weight?[ch] ?? 1), offset = (bias?[ch] ?? 0) - mean * scale;
                    AffineRows.ScaleShift(xs.Slice((int)k * plane, plane), y.Span<T>(r * length + k * plane, plane),
                        T.CreateTruncating(scale), T.CreateTruncating(offset));
                }
            }
        });
    }

    /// <summary>Rows per thread chunk so that a chunk is worth a thread hand-off.</summary>
    private static long RowGrain(long length) => Math.Max(1, CpuParallel.ElementwiseGrain / Math.Max(1, length));
}
