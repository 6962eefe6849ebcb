using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// interpolate in the linear modes: linear over [N, C, L] and bilinear over [N, C, H, W], with PyTorch's
/// source positions and weights (float scale, double position, float weights for float32). Bilinear
/// interpolates the two source rows of an output row along the width first and keeps them, so each input
/// row is interpolated once per use by consecutive output rows, then blends them (vectorised).
/// </summary>
internal static class LinearResampleKernel
{
    /// <summary>The resampled input (float; float16 and bfloat16 computed in float32) for <paramref name="plan"/>.</summary>
    internal static Tensor Run(Tensor input, InterpolatePlan plan)
    {
        var x = PoolPlanes.Dense(input);
        var result = Tensor.Empty(x.DType, plan.OutputShape);
        TypeDispatch.Float(x.DType, new ResampleAction(x, result, plan));
        return PoolPlanes.Restore(result, input.DType);
    }

    /// <summary>The two source indices and their weights for each output index along one dim.</summary>
    internal sealed record Weights<T>(int[] First, int[] Second, T[] FirstWeight, T[] SecondWeight);

    /// <summary>
    /// PyTorch's linear weights along one dim: equal sizes copy; otherwise the source position is scale·dst
    /// (align_corners) or max(scale·(dst + 0.5) − 0.5, 0), computed in double from a scale of dtype T.
    /// </summary>
    internal static Weights<T> LinearWeights<T>(long input, long output, bool alignCorners, double? scaleFactor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var weights = new Weights<T>(new int[output], new int[output], new T[output], new T[output]);
        T scale = alignCorners
            ? (output > 1 ? T.CreateTruncating(input - 1) / T.CreateTruncating(output - 1) : T.Zero)
            : scaleFactor is > 0 ? T.CreateTruncating(1.0 / scaleFactor.Value) : T.CreateTruncating(input) / T.CreateTruncating(output);
        double ratio = double.CreateTruncating(scale);
        for (int o = 0; o < output; o++)
        {
            if (input == output)
            {
                (weights.First[o], weights.Second[o], weights.FirstWeight[o], weights.SecondWeight[o]) = (o, o, T.One, T.Zero);
                continue;
            }
            double position = alignCorners ? ratio * o : Math.Max(ratio * (o + 0.5) - 0.5, 0);
            int first = (int)position;
            T second = T.CreateTruncating(position - first);
            (weights.First[o], weights.Second[o], weights.FirstWeight[o], weights.SecondWeight[o]) = (first, first < input - 1 ? first + 1 : first, T.One - second, second);
        }
        return weights;
    }

    /// <summary>One row interpolated along its length: a·w₀ + b·w₁ per output element.</summary>
    private static void Interpolate<T>(ReadOnlySpan<T> row, Span<T> output, Weights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < output.Length; o++)
            output[o] = row[w.First[o]] * w.FirstWeight[o] + row[w.Second[o]] * w.SecondWeight[o];
    }

    private readonly struct ResampleAction(Tensor x, Tensor result, InterpolatePlan plan) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (src, dst) = (x, result);
            bool bilinear = plan.Mode == InterpolateMode.Bilinear;
            long inHeight = bilinear ? plan.InputSize[0] : 1, inWidth = plan.InputSize[^1];
            long outHeight = bilinear ? plan.OutputSize[0] : 1, outWidth = plan.OutputSize[^1];
            var columns = LinearWeights<T>(inWidth, outWidth, plan.AlignCorners, plan.Scales[^1]);
            var rows = bilinear ? LinearWeights<T>(inHeight, outHeight, plan.AlignCorners, plan.Scales[0]) : null;
            long planes = plan.OutputShape[0] * plan.OutputShape[1];
            Action<long, T[]> fill = (r, buffer) => Interpolate(src.Span<T>(r * inWidth, inWidth), buffer, columns);
            PoolPlanes.ForRows(planes * outHeight, outWidth * 4, (start, end) =>
            {
                var cache = new RowCache<T>(outWidth);
                for (long row = start; row < end; row++)
                {
                    var output = dst.Span<T>(row * outWidth, outWidth);
                    long plane = row / outHeight * inHeight;
                    if (rows is null)
                    {
                        Interpolate(src.Span<T>(plane * inWidth, inWidth), output, columns);
                        continue;
                    }
                    int oh = (int)(row % outHeight);
                    var (upper, lower) = cache.Rows(plane + rows.First[oh], plane + rows.Second[oh], fill);
                    TensorPrimitives.Multiply(upper, rows.FirstWeight[oh], output);
                    TensorPrimitives.MultiplyAdd(lower, rows.SecondWeight[oh], output, output);
                }
            });
        }
    }

    /// <summary>The last two input rows interpolated along the width, keyed by their row number.</summary>
    private sealed class RowCache<T>(long width)
    {
        private readonly T[][] buffers = [new T[width], new T[width]];
        private readonly long[] keys = [-1, -1];

        /// <summary>The interpolated rows <paramref name="first"/> and <paramref name="second"/>, computing (with <paramref name="fill"/>) those not kept.</summary>
        public (T[] First, T[] Second) Rows(long first, long second, Action<long, T[]> fill)
        {
            int a = Slot(first, avoid: second, fill);
            int b = keys[a] == second ? a : Slot(second, avoid: first, fill);
            return (buffers[a], buffers[b]);
        }

        private int Slot(long key, long avoid, Action<long, T[]> fill)
        {
            int slot = Array.IndexOf(keys, key);
            if (slot >= 0) return slot;
            slot = keys[0] == avoid ? 1 : 0;
            fill(key, buffers[slot]);
            keys[slot] = key;
            return slot;
        }
    }
}
