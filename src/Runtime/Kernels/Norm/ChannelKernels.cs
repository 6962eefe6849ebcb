using System.Numerics;

namespace Kiln.Kernels.Norm;

/// <summary>
/// Per-channel statistics and the per-channel affine pass of batch_norm (and instance_norm with running
/// statistics), on a contiguous input viewed as [n, c, l]. Channels whose planes of l elements are long
/// enough are walked plane by plane with SIMD, in parallel over channels; short planes ([N, C] inputs) are
/// walked as the columns of an [N, C·L] matrix, with SIMD across columns.
/// </summary>
internal static class ChannelKernels
{
    /// <summary>The shortest plane worth walking on its own; shorter ones are walked as rows of c·l elements.</summary>
    private const long PlaneMin = 16;

    /// <summary>The mean and biased variance of each channel over the batch and spatial dims (n·l ≥ 1 values each).</summary>
    internal static (double[] Mean, double[] Variance) Moments<T>(Tensor x, long n, long c, long l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mean = new double[c];
        var variance = new double[c];
        if (l >= PlaneMin) PlaneMoments<T>(x, n, c, l, mean, variance);
        else ColumnMoments<T>(x, n, c, l, mean, variance);
        return (mean, variance);
    }

    /// <summary>y = x·scale[ch] + shift[ch] over each channel ch.</summary>
    internal static void ScaleShift<T>(Tensor x, Tensor y, long n, long c, long l, double[] scale, double[] shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n * c * l == 0) return;
        if (l >= PlaneMin)
        {
            int plane = (int)l;
            CpuParallel.For(n * c, Math.Max(1, CpuParallel.ElementwiseGrain / l), (first, end) =>
            {
                for (long p = first; p < end; p++)
                {
                    long ch = p % c;
                    AffineRows.ScaleShift(x.Span<T>(p * l, plane), y.Span<T>(p * l, plane), T.CreateTruncating(scale[ch]), T.CreateTruncating(shift[ch]));
                }
            });
            return;
        }
        // Short planes: each channel's coefficients repeated over its l elements, then whole rows of c·l at once.
        int width = checked((int)(c * l));
        var rowScale = new T[width];
        var rowShift = new T[width];
        for (int j = 0; j < width; j++)
        {
            rowScale[j] = T.CreateTruncating(scale[j / l]);
            rowShift[j] = T.CreateTruncating(shift[j / l]);
        }
        CpuParallel.For(n, Math.Max(1, CpuParallel.ElementwiseGrain / width), (first, end) =>
        {
            for (long i = first; i < end; i++)
                AffineRows.ScaleShift(x.Span<T>(i * width, width), y.Span<T>(i * width, width), rowScale, rowShift);
        });
    }

    private static void PlaneMoments<T>(Tensor x, long n, long c, long l, double[] mean, double[] variance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long count = n * l;
        int plane = (int)l;
        CpuParallel.For(c, Math.Max(1, CpuParallel.ElementwiseGrain / count), (first, end) =>
        {
            for (long ch = first; ch < end; ch++)
            {
                double shift = double.CreateTruncating(x.Ref<T>(ch * l)), sum = 0, sumSq = 0;
                for (long i = 0; i < n; i++)
                    ShiftedSums.Accumulate(x.Span<T>((i * c + ch) * l, plane), shift, ref sum, ref sumSq);
                (mean[ch], variance[ch]) = ShiftedSums.Moments(count, shift, sum, sumSq);
            }
        });
    }

    /// <summary>
    /// Statistics of short planes: every column of the [n, c·l] matrix summed over the rows (shifted by the
    /// first row), blocks of columns in parallel; then a channel's l columns combined by Chan's rule: the
    /// within-column squared deviations plus n times the squared deviations of the column means from the
    /// channel mean.
    /// </summary>
    private static void ColumnMoments<T>(Tensor x, long n, long c, long l, double[] mean, double[] variance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = checked((int)(c * l));
        var shift = new double[width];
        for (int j = 0; j < width; j++) shift[j] = double.CreateTruncating(x.Ref<T>(j));
        var sum = new double[width];
        var sumSq = new double[width];
        const int block = ShiftedSums.ColumnBlock;
        CpuParallel.For((width + block - 1) / block, Math.Max(1, CpuParallel.ElementwiseGrain / (block * n)), (first, end) =>
        {
            for (long k = first; k < end; k++)
            {
                int column = (int)k * block;
                ShiftedSums.AccumulateColumns(x.Span<T>(), n, width, column, Math.Min(block, width - column), shift, sum, sumSq);
            }
        });
        Span<double> columnMean = stackalloc double[(int)l];
        for (long ch = 0; ch < c; ch++)
        {
            double squares = 0, total = 0;
            for (int k = 0; k < l; k++)
            {
                long j = ch * l + k;
                var (m, v) = ShiftedSums.Moments(n, shift[j], sum[j], sumSq[j]);
                columnMean[k] = m;
                total += m;
                squares += v * n;
            }
            double channelMean = total / l;
            for (int k = 0; k < l; k++)
                squares += n * (columnMean[k] - channelMean) * (columnMean[k] - channelMean);
            mean[ch] = channelMean;
            variance[ch] = squares / (n * l);
        }
    }
}
