using System.Numerics;
using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// conv_transpose2d on the CPU, as GEMM + col2im: per image and group, the columns Wᵀ·x ([C_out/groups · taps,
/// H_in·W_in], W read transposed in place) are formed by the GEMM and summed into the output by
/// <see cref="Im2Col.Scatter{T}"/> over the window of the convolution being transposed. Float16 and bfloat16
/// are computed in float32 and rounded once.
/// </summary>
internal static unsafe class ConvTransposeKernel
{
    /// <summary>The transposed convolution of <paramref name="input"/> with <paramref name="weight"/> plus <paramref name="bias"/>.</summary>
    /// <exception cref="ArgumentException">The call is invalid (see <see cref="ConvShapes.TransposedConvolution"/>).</exception>
    internal static Tensor Forward(string op, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        long[]? stride, long[]? padding, long[]? outputPadding, long groups, long[]? dilation)
    {
        var dtype = ConvOps.CheckDTypes(op, input.DType, weight.DType, bias?.DType);
        var plan = ConvShapes.TransposedConvolution(op, spatialRank, input.shape, weight.shape, bias?.shape, stride, padding, outputPadding, groups, dilation);
        var result = Tensor.Empty(dtype, plan.OutputShape);
        if (result.numel == 0) return result;
        switch (dtype)
        {
            case DType.Float32: Typed<float>(plan, input, weight, bias, result); break;
            case DType.Float64: Typed<double>(plan, input, weight, bias, result); break;
            default:
                var wide = Tensor.Empty(DType.Float32, plan.OutputShape);
                Typed<float>(plan, input.To(DType.Float32), weight.To(DType.Float32), bias?.To(DType.Float32), wide);
                CastKernel.Cast(wide, result);
                break;
        }
        return result;
    }

    private static void Typed<T>(ConvPlan plan, Tensor input, Tensor weight, Tensor? bias, Tensor result)
        where T : unmanaged, INumberBase<T>
    {
        input = input.Contiguous();
        weight = weight.Contiguous();
        bias = bias?.Contiguous();
        var w = new SlidingWindow(plan.Window);
        int groups = checked((int)plan.Groups), inPerGroup = checked((int)(plan.InChannels / plan.Groups));
        int k = w.Rows, l = w.Columns;
        long units = plan.Batch * groups, work = (long)k * l * inPerGroup;
        fixed (byte* pi = input.storage.Bytes, pw = weight.storage.Bytes, pb = bias?.storage.Bytes, po = result.storage.Bytes)
        {
            var x = new ConvOperands<T>((T*)pi + input.offset, (T*)pw + weight.offset, bias is null ? null : (T*)pb + bias.offset, (T*)po + result.offset);
            void Unit(long unit, bool parallel)
            {
                int group = (int)(unit % groups);
                T* output = x.Output + unit * w.ImageSize;
                for (int c = 0; c < w.Channels; c++)
                    Runs.Fill(output + (nint)c * w.PlaneSize, x.Bias == null ? default : x.Bias[group * w.Channels + c], w.PlaneSize);
                T* columns = ThreadScratch.Get<T>(ThreadScratch.Slot.Columns, (long)k * l);
                // Group g's weight is a [C_in/groups, k] row-major matrix; its transpose is read in place.
                Gemm.Gemm.Run(k, l, inPerGroup,
                    new MatrixRef<T>(x.Weight + (nint)group * inPerGroup * k, 1, k),
                    new MatrixRef<T>(x.Input + unit * inPerGroup * l, l, 1),
                    new MatrixRef<T>(columns, l, 1),
                    accumulate: false, parallel);
                var window = w;
                if (parallel)
                    CpuParallel.For(w.Channels, Math.Max(1, CpuParallel.ElementwiseGrain / ((long)w.KernelArea * l)), (c0, c1) => Im2Col.Scatter(columns, l, window, (int)c0, (int)(c1 - c0), output));
                else
                    Im2Col.Scatter(columns, l, w, 0, w.Channels, output);
            }
            if (units >= Threading.NumThreads)
            {
                CpuParallel.For(units, Math.Max(1, Gemm.Gemm.ParallelThreshold / work), (start, end) =>
                {
                    for (long unit = start; unit < end; unit++)
                        Unit(unit, parallel: false);
                });
                return;
            }
            for (long unit = 0; unit < units; unit++)
                Unit(unit, parallel: true);
        }
    }
}
