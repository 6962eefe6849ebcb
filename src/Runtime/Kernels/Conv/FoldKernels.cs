using System.Numerics;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Conv;

/// <summary>
/// unfold (im2col) and fold (col2im) on the CPU: the same <see cref="Im2Col"/> routines the convolutions use,
/// applied per image. unfold only moves elements, so it runs on the raw bits of any float dtype; fold sums
/// overlapping windows, so float16 and bfloat16 are summed in float32 and rounded once.
/// </summary>
internal static unsafe class FoldKernels
{
    /// <summary>The im2col matrix of every image: [N, C·kH·kW, L] (or [C·kH·kW, L] for an unbatched input).</summary>
    /// <exception cref="ArgumentException">The call is invalid (see <see cref="ConvShapes.Unfold"/>).</exception>
    internal static Tensor Unfold(Tensor input, long[]? kernelSize, long[]? dilation, long[]? padding, long[]? stride)
    {
        TypeRules.CheckDType("unfold", input.DType, ConvOps.FloatDTypes);
        var plan = ConvShapes.Unfold(input.shape, kernelSize, dilation, padding, stride);
        var result = Tensor.Empty(input.DType, plan.OutputShape);
        if (result.numel == 0) return result;
        var w = new SlidingWindow(plan.Window);
        var x = input.Contiguous();
        switch (input.DType.ElementSize())
        {
            case 2: UnfoldTyped<ushort>(x, result, w, plan.Batch); break;
            case 4: UnfoldTyped<float>(x, result, w, plan.Batch); break;
            default: UnfoldTyped<double>(x, result, w, plan.Batch); break;
        }
        return result;
    }

    /// <summary>The sum of every column back into its window: [N, C, *output_size] (or [C, *output_size]).</summary>
    /// <exception cref="ArgumentException">The call is invalid (see <see cref="ConvShapes.Fold"/>).</exception>
    internal static Tensor Fold(Tensor input, long[]? outputSize, long[]? kernelSize, long[]? dilation, long[]? padding, long[]? stride)
    {
        TypeRules.CheckDType("fold", input.DType, ConvOps.FloatDTypes);
        var plan = ConvShapes.Fold(input.shape, outputSize, kernelSize, dilation, padding, stride);
        var result = Tensor.Empty(input.DType, plan.OutputShape);
        if (result.numel == 0) return result;
        var w = new SlidingWindow(plan.Window);
        switch (input.DType)
        {
            case DType.Float32: FoldTyped<float>(input.Contiguous(), result, w, plan.Batch); break;
            case DType.Float64: FoldTyped<double>(input.Contiguous(), result, w, plan.Batch); break;
            default:
                var wide = Tensor.Empty(DType.Float32, plan.OutputShape);
                FoldTyped<float>(input.To(DType.Float32).Contiguous(), wide, w, plan.Batch);
                CastKernel.Cast(wide, result);
                break;
        }
        return result;
    }

    /// <summary>Gathers each image's im2col matrix, split across threads by (image, row) ranges.</summary>
    private static void UnfoldTyped<T>(Tensor input, Tensor result, SlidingWindow w, long batch) where T : unmanaged
    {
        int rows = w.Rows, columns = w.Columns;
        fixed (byte* pi = input.storage.Bytes, po = result.storage.Bytes)
        {
            T* src = (T*)pi + input.offset, dst = (T*)po + result.offset;
            CpuParallel.For(batch * rows, Math.Max(1, CpuParallel.ElementwiseGrain / columns), (start, end) =>
            {
                for (long i = start; i < end;)
                {
                    long image = i / rows;
                    int row = (int)(i % rows), count = (int)Math.Min(rows - row, end - i);
                    Im2Col.Gather(src + image * w.ImageSize, w, row, count, 0, columns, dst + (image * rows + row) * columns, PanelLayout.Matrix(columns));
                    i += count;
                }
            });
        }
    }

    /// <summary>Scatters each image's columns into its zeroed planes, split across threads by (image, channel) ranges.</summary>
    private static void FoldTyped<T>(Tensor input, Tensor result, SlidingWindow w, long batch) where T : unmanaged, INumberBase<T>
    {
        int channels = w.Channels, columns = w.Columns;
        long matrix = (long)w.Rows * columns;
        fixed (byte* pi = input.storage.Bytes, po = result.storage.Bytes)
        {
            T* src = (T*)pi + input.offset, dst = (T*)po + result.offset;
            CpuParallel.For(batch * channels, Math.Max(1, CpuParallel.ElementwiseGrain / ((long)w.KernelArea * columns)), (start, end) =>
            {
                for (long i = start; i < end;)
                {
                    long image = i / channels;
                    int channel = (int)(i % channels), count = (int)Math.Min(channels - channel, end - i);
                    T* planes = dst + image * w.ImageSize;
                    new Span<T>(planes + (nint)channel * w.PlaneSize, count * w.PlaneSize).Clear();
                    Im2Col.Scatter(src + image * matrix, columns, w, channel, count, planes);
                    i += count;
                }
            });
        }
    }
}
