using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// interpolate in the nearest modes over 1, 2 or 3 spatial dims: a gather through one table of source
/// indices per dim, computed with PyTorch's float arithmetic. Elements are moved as bit patterns, so every
/// dtype works unconverted; an output row whose source row is the previous one's is copied whole.
/// </summary>
internal static class NearestKernel
{
    /// <summary>The resampled input (a [N, C, ...] tensor) for <paramref name="plan"/>.</summary>
    internal static Tensor Run(Tensor input, InterpolatePlan plan)
    {
        var x = input.Contiguous();
        var result = Tensor.Empty(input.DType, plan.OutputShape);
        bool exact = plan.Mode == InterpolateMode.NearestExact;
        var sources = plan.InputSize.Select((size, d) => SourceIndices(size, plan.OutputSize[d], plan.Scales[d], exact)).ToArray();
        switch (input.DType.ElementSize())
        {
            case 1: Gather<byte>(x, result, plan, sources); break;
            case 2: Gather<short>(x, result, plan, sources); break;
            case 4: Gather<int>(x, result, plan, sources); break;
            default: Gather<long>(x, result, plan, sources); break;
        }
        return result;
    }

    /// <summary>
    /// The source index of each output index along one dim. nearest: ⌊dst·scale⌋ in float (with PyTorch's
    /// shortcuts for equal and doubled sizes); nearest-exact: ⌊(dst + 0.5)·scale⌋; both clamped to the input.
    /// The scale is 1 / scale_factor when the caller gave one, else input / output.
    /// </summary>
    internal static int[] SourceIndices(long input, long output, double? scaleFactor, bool exact)
    {
        var result = new int[output];
        float scale = scaleFactor is > 0 ? (float)(1.0 / scaleFactor.Value) : (float)input / output;
        for (long o = 0; o < output; o++)
        {
            long source = exact ? (long)MathF.Floor((float)((o + 0.5) * scale))
                : output == input ? o
                : output == 2 * input ? o >> 1
                : (long)MathF.Floor(o * scale);
            result[o] = (int)Math.Min(source, input - 1);
        }
        return result;
    }

    private static void Gather<T>(Tensor x, Tensor result, InterpolatePlan plan, int[][] sources) where T : unmanaged
    {
        var (input, output) = (plan.InputSize, plan.OutputSize);
        int last = input.Length - 1;
        long inWidth = input[last], outWidth = output[last];
        long outRowsPerPlane = Shapes.Numel(output.AsSpan(0, last)), inPlane = Shapes.Numel(input);
        long planes = plan.OutputShape[0] * plan.OutputShape[1];
        var columns = sources[last];
        bool sameColumns = inWidth == outWidth && columns.AsSpan().SequenceEqual(Enumerable.Range(0, (int)inWidth).ToArray());
        PoolPlanes.ForRows(planes * outRowsPerPlane, outWidth, (start, end) =>
        {
            long previous = -1;
            for (long row = start; row < end; row++)
            {
                long from = SourceRow(row, outRowsPerPlane, inPlane, input, output, sources);
                var dst = result.Span<T>(row * outWidth, outWidth);
                if (from == previous)
                {
                    result.Span<T>((row - 1) * outWidth, outWidth).CopyTo(dst);
                    continue;
                }
                previous = from;
                var src = x.Span<T>(from, inWidth);
                if (sameColumns)
                {
                    src.CopyTo(dst);
                    continue;
                }
                for (int o = 0; o < dst.Length; o++)
                    dst[o] = src[columns[o]];
            }
        });
    }

    /// <summary>The element offset of the input row that output row <paramref name="row"/> (over planes and all but the last spatial dim) reads.</summary>
    private static long SourceRow(long row, long outRowsPerPlane, long inPlane, long[] input, long[] output, int[][] sources)
    {
        long rest = row % outRowsPerPlane, offset = 0, stride = input[^1];
        for (int d = input.Length - 2; d >= 0; d--)
        {
            offset += sources[d][rest % output[d]] * stride;
            rest /= output[d];
            stride *= input[d];
        }
        return row / outRowsPerPlane * inPlane + offset;
    }
}
