using System.Numerics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// The backward primitives of the pooling family. Each validates its operands with the op's own type rule,
/// computes in float32 or float64 (float16 and bfloat16 in float32, rounded once) and splits the planes across
/// threads: a plane's gradient is written by one thread only.
/// </summary>
internal static class PoolingBackwardKernels
{
    /// <summary>
    /// max_pool2d_backward / adaptive_max_pool2d_backward: zeros with grad_output added at each plane index. An index
    /// past the plane is skipped: max_pool2d gives one for a window that lies wholly in the padding (its output is
    /// −∞ and depends on no input); a negative index is an error.
    /// </summary>
    internal static Tensor ScatterByIndices(string op, Tensor grad, Tensor input, Tensor indices, Attrs attrs)
    {
        Validate(op, [grad, input, indices], attrs);
        var g = PoolPlanes.Dense(grad);
        var idx = indices.Contiguous();
        var result = Tensor.Zeros(input.shape, g.DType);
        TypeDispatch.Float(g.DType, new ScatterAction(op, g, idx, result));
        return PoolPlanes.Restore(result, input.DType);
    }

    /// <summary>avg_pool2d_backward: each output gradient divided by the forward's divisor and added over its clipped window.</summary>
    internal static Tensor AvgPool(Tensor grad, Tensor input, Attrs attrs)
    {
        const string Op = "avg_pool2d_backward";
        Validate(Op, [grad, input], attrs);
        var options = PoolOptions.FromAttrs(attrs);
        var geometry = PoolingRules.AvgPool2d(Op, input.shape, options);
        var g = PoolPlanes.Dense(grad);
        var result = Tensor.Zeros(input.shape, g.DType);
        TypeDispatch.Float(g.DType, new AverageAction(g, result, geometry.Planes, geometry.Height, geometry.Width, options));
        return PoolPlanes.Restore(result, input.DType);
    }

    /// <summary>adaptive_avg_pool2d_backward: each output gradient spread evenly over its adaptive window.</summary>
    internal static Tensor AdaptiveAvgPool(Tensor grad, Tensor input, Attrs attrs)
    {
        const string Op = "adaptive_avg_pool2d_backward";
        Validate(Op, [grad, input], attrs);
        var geometry = AdaptivePoolingRules.AvgPool2d(Op, input.shape, AdaptivePoolingRules.OutputSize(attrs, 2));
        var g = PoolPlanes.Dense(grad);
        var result = Tensor.Zeros(input.shape, g.DType);
        TypeDispatch.Float(g.DType, new AdaptiveAction(g, result, geometry));
        return PoolPlanes.Restore(result, input.DType);
    }

    /// <summary>
    /// interpolate_backward: interpolate is a product of one 1-d resampling per spatial dim, so its transpose applies
    /// each dim's transposed resampling in turn, last dim first.
    /// </summary>
    internal static Tensor Interpolate(Tensor grad, Tensor input, Attrs attrs)
    {
        const string Op = "interpolate_backward";
        Validate(Op, [grad, input], attrs);
        var plan = ResamplingRules.Interpolate(Op, DType.Float32, input.shape, InterpolateOptions.FromAttrs(attrs, input.Dim - 2));
        var g = PoolPlanes.Dense(grad);
        var action = new ResampleAction(g, plan);
        TypeDispatch.Float(g.DType, action);
        return PoolPlanes.Restore(action.Result.Value!, input.DType);
    }

    private static void Validate(string op, Tensor[] inputs, Attrs attrs)
    {
        foreach (var t in inputs) ArgumentNullException.ThrowIfNull(t);
        OpRegistry.Get(op).InferTypes([.. inputs.Select(t => new TensorType(t.DType, t.shape))], attrs);
    }

    private readonly struct ScatterAction(string op, Tensor grad, Tensor indices, Tensor result) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (g, idx, dst, name) = (grad, indices, result, op);
            long outPlane = grad.shape[^1] * grad.shape[^2], inPlane = result.shape[^1] * result.shape[^2];
            long planes = outPlane == 0 ? 0 : grad.numel / outPlane;
            PoolPlanes.ForRows(planes, outPlane, (start, end) =>
            {
                for (long p = start; p < end; p++)
                {
                    var source = g.Span<T>(p * outPlane, (int)outPlane);
                    var where = idx.Span<long>(p * outPlane, (int)outPlane);
                    var target = dst.Span<T>(p * inPlane, (int)inPlane);
                    for (int j = 0; j < source.Length; j++)
                    {
                        long i = where[j];
                        if ((ulong)i < (ulong)inPlane)
                            target[(int)i] += source[j];
                        else if (i < 0)
                            throw new IndexOutOfRangeException($"{name}: index {i} is negative (input plane of {inPlane} elements, shape {Shapes.Format(dst.shape)})");
                    }
                }
            });
        }
    }

    private readonly struct AverageAction(Tensor grad, Tensor result, long planes, PoolAxis h, PoolAxis w, PoolOptions options) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (g, dst, hh, ww, o) = (grad, result, h, w, options);
            long outPlane = h.Output * w.Output, inPlane = h.Input * w.Input;
            PoolPlanes.ForRows(planes, h.Kernel * w.Kernel * outPlane, (start, end) =>
            {
                for (long p = start; p < end; p++)
                {
                    var source = g.Span<T>(p * outPlane, (int)outPlane);
                    var target = dst.Span<T>(p * inPlane, (int)inPlane);
                    for (long oh = 0; oh < hh.Output; oh++)
                    {
                        var (rows, paddedRows) = Clip(hh, oh);
                        for (long ow = 0; ow < ww.Output; ow++)
                        {
                            var (cols, paddedCols) = Clip(ww, ow);
                            long divisor = o.DivisorOverride ?? (o.CountIncludePad ? paddedRows * paddedCols : (rows.End - rows.Start) * (cols.End - cols.Start));
                            T share = source[(int)(oh * ww.Output + ow)] / T.CreateTruncating(divisor);
                            for (long ih = rows.Start; ih < rows.End; ih++)
                            {
                                var run = target.Slice((int)(ih * ww.Input + cols.Start), (int)(cols.End - cols.Start));
                                TensorPrimitives.Add(run, share, run);
                            }
                        }
                    }
                }
            });
        }

        /// <summary>The window of output <paramref name="o"/> inside the input, and its length counting the padding (the forward's rule).</summary>
        private static ((long Start, long End) Inside, long Padded) Clip(PoolAxis axis, long o)
        {
            long start = axis.Start(o), end = Math.Min(start + axis.Kernel, axis.Input + axis.Padding);
            return ((Math.Max(start, 0), Math.Min(end, axis.Input)), end - start);
        }
    }

    private readonly struct AdaptiveAction(Tensor grad, Tensor result, AdaptiveGeometry geometry) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (g, dst, a) = (grad, result, geometry);
            long outPlane = a.OutputHeight * a.OutputWidth, inPlane = a.InputHeight * a.InputWidth;
            PoolPlanes.ForRows(a.Planes, inPlane + outPlane, (start, end) =>
            {
                for (long p = start; p < end; p++)
                {
                    var source = g.Span<T>(p * outPlane, (int)outPlane);
                    var target = dst.Span<T>(p * inPlane, (int)inPlane);
                    for (long oh = 0; oh < a.OutputHeight; oh++)
                    {
                        long h0 = AdaptiveGeometry.Start(oh, a.OutputHeight, a.InputHeight), h1 = AdaptiveGeometry.End(oh, a.OutputHeight, a.InputHeight);
                        for (long ow = 0; ow < a.OutputWidth; ow++)
                        {
                            long w0 = AdaptiveGeometry.Start(ow, a.OutputWidth, a.InputWidth), w1 = AdaptiveGeometry.End(ow, a.OutputWidth, a.InputWidth);
                            T share = source[(int)(oh * a.OutputWidth + ow)] / T.CreateTruncating((h1 - h0) * (w1 - w0));
                            for (long ih = h0; ih < h1; ih++)
                            {
                                var run = target.Slice((int)(ih * a.InputWidth + w0), (int)(w1 - w0));
                                TensorPrimitives.Add(run, share, run);
                            }
                        }
                    }
                }
            });
        }
    }

    private readonly struct ResampleAction(Tensor grad, InterpolatePlan plan) : IFloatAction
    {
        internal StrongBox<Tensor> Result { get; } = new();

        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var current = grad;
            bool linear = plan.Mode is InterpolateMode.Linear or InterpolateMode.Bilinear;
            for (int d = plan.InputSize.Length - 1; d >= 0; d--)
            {
                long input = plan.InputSize[d], output = plan.OutputSize[d];
                var weights = linear
                    ? LinearResampleKernel.LinearWeights<T>(input, output, plan.AlignCorners, plan.Scales[d])
                    : Nearest<T>(NearestKernel.SourceIndices(input, output, plan.Scales[d], plan.Mode == InterpolateMode.NearestExact));
                current = TransposeAlong(current, d + 2, input, weights);
            }
            Result.Value = current;
        }

        private static LinearResampleKernel.Weights<T> Nearest<T>(int[] sources) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var ones = new T[sources.Length];
            Array.Fill(ones, T.One);
            return new(sources, sources, ones, new T[sources.Length]);
        }

        /// <summary>
        /// The transpose of one dim's resampling on a dense tensor viewed as [outer, output, inner]: each output slice,
        /// times its two weights, is added to its two source slices of the [outer, input, inner] result.
        /// </summary>
        private static Tensor TransposeAlong<T>(Tensor x, int dim, long input, LinearResampleKernel.Weights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
        {
            long[] shape = [.. x.shape];
            long output = shape[dim];
            shape[dim] = input;
            var result = Tensor.Zeros(shape, x.DType);
            long inner = Shapes.Numel(shape.AsSpan(dim + 1)), outer = Shapes.Numel(shape.AsSpan(0, dim));
            PoolPlanes.ForRows(outer, output * inner * 2, (start, end) =>
            {
                for (long o = start; o < end; o++)
                {
                    var source = x.Span<T>(o * output * inner, (int)(output * inner));
                    var target = result.Span<T>(o * input * inner, (int)(input * inner));
                    for (int j = 0; j < output; j++)
                    {
                        var slice = source.Slice((int)(j * inner), (int)inner);
                        var first = target.Slice((int)(w.First[j] * inner), (int)inner);
                        TensorPrimitives.MultiplyAdd(slice, w.FirstWeight[j], first, first);
                        if (w.SecondWeight[j] == T.Zero) continue;
                        var second = target.Slice((int)(w.Second[j] * inner), (int)inner);
                        TensorPrimitives.MultiplyAdd(slice, w.SecondWeight[j], second, second);
                    }
                }
            });
            return result;
        }
    }
}
