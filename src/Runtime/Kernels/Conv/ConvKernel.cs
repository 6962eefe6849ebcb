using System.Numerics;
using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// conv1d and conv2d on the CPU: checks the call with <see cref="ConvShapes.Convolution"/>, then runs 1×1
/// convolutions as plain GEMMs over the image, those with few output channels through <see cref="FlatPositionConv{T}"/>
/// (AVX-512, stride 1) or else <see cref="DirectConv{T}"/>,
/// float32 ones with 13–16 output channels per group through <see cref="ChannelVectorConv"/> where FMA runs,
/// and every other one through <see cref="ConvGemm{T, TKernel}"/> on the micro-kernel that suits the channel count.
/// conv1d is conv2d of height 1. Float16 and bfloat16 are computed in float32 and rounded once.
/// </summary>
internal static unsafe class ConvKernel
{
    /// <summary>
    /// Whether a direct kernel (<see cref="FlatPositionConv{T}"/> or <see cref="DirectConv{T}"/>) suits a convolution with <paramref name="outPerGroup"/> output channels per
    /// group and window <paramref name="w"/>: with few output channels — or few (channel, tap) rows and not many more
    /// channels, as in a network's first layer — packing B would cost more than the FMAs each packed element feeds.
    /// </summary>
    private static bool SuitsDirect(int outPerGroup, in SlidingWindow w) => outPerGroup <= 12 || (w.Rows <= 32 && outPerGroup <= 24);

    /// <summary>
    /// Whether <see cref="ChannelVectorConv"/> suits a float32 convolution that <see cref="SuitsDirect"/> does not take:
    /// output channels that fill most of one zmm register or two ymm ones (on LeNet's second layer measured 3–5× faster
    /// than the GEMM in the zmm form and 3× in the ymm form; with 17–32 the zmm form was as often slower as faster than
    /// the GEMM, so those keep the GEMM). Fewer channels stay with the direct kernels, whose lanes hold output
    /// columns: on LeNet's first layer (6 channels, 28 columns) <see cref="DirectConv{T}"/> fills 7/8 of them against 3/4
    /// here, and measured 1.5× faster than the ymm form.
    /// </summary>
    private static bool SuitsChannelVector(int outPerGroup, in SlidingWindow w) => outPerGroup is > 12 and <= 16 && !SuitsDirect(outPerGroup, w);

    /// <summary>Whether a float32 convolution runs on <see cref="ChannelVectorConv"/>, forced or chosen, and in which form.</summary>
    private static bool UsesChannelVector(ConvMicroKernel kernel, int outPerGroup, in SlidingWindow w, out bool wide)
    {
        wide = kernel == ConvMicroKernel.ChannelVector512 || (kernel == ConvMicroKernel.Best && ChannelVectorConv.PrefersWide);
        return kernel is ConvMicroKernel.ChannelVector512 or ConvMicroKernel.ChannelVector256
            || (kernel == ConvMicroKernel.Best && SuitsChannelVector(outPerGroup, w) && ChannelVectorConv.IsSupported(outPerGroup, w, wide));
    }

    /// <summary>
    /// The convolution of <paramref name="input"/> with <paramref name="weight"/> plus <paramref name="bias"/>;
    /// <paramref name="kernel"/> forces a micro-kernel (tests run each one the machine has).
    /// </summary>
    /// <exception cref="ArgumentException">The call is invalid (see <see cref="ConvShapes.Convolution"/>).</exception>
    internal static Tensor Forward(string op, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        long[]? stride, long[]? padding, string? paddingMode, long[]? dilation, long groups, ConvMicroKernel kernel = ConvMicroKernel.Best)
    {
        var dtype = ConvOps.CheckDTypes(op, input.DType, weight.DType, bias?.DType);
        var plan = ConvShapes.Convolution(op, spatialRank, input.shape, weight.shape, bias?.shape, stride, padding, paddingMode, dilation, groups);
        var result = Tensor.Empty(dtype, plan.OutputShape);
        if (result.numel == 0) return result;
        switch (dtype)
        {
            case DType.Float32: Typed<float>(plan, input, weight, bias, result, kernel); break;
            case DType.Float64: Typed<double>(plan, input, weight, bias, result, kernel); break;
            default:
                var wide = Tensor.Empty(DType.Float32, plan.OutputShape);
                Typed<float>(plan, input.To(DType.Float32), weight.To(DType.Float32), bias?.To(DType.Float32), wide, kernel);
                CastKernel.Cast(wide, result);
                break;
        }
        return result;
    }

    private static void Typed<T>(ConvPlan plan, Tensor input, Tensor weight, Tensor? bias, Tensor result, ConvMicroKernel kernel)
        where T : unmanaged, INumberBase<T>
    {
        input = input.Contiguous();
        weight = weight.Contiguous();
        bias = bias?.Contiguous();
        var w = new SlidingWindow(plan.Window);
        int batch = checked((int)plan.Batch), groups = checked((int)plan.Groups), outPerGroup = checked((int)(plan.OutChannels / plan.Groups));
        fixed (byte* pi = input.storage.Bytes, pw = weight.storage.Bytes, pb = bias?.storage.Bytes, po = result.storage.Bytes)
        {
            var x = new ConvOperands<T>((T*)pi + input.offset, (T*)pw + weight.offset, bias is null ? null : (T*)pb + bias.offset, (T*)po + result.offset);
            if (w.Rows == 0)
                BiasOnly(x, batch, groups, outPerGroup, w.Columns);
            else if (w.IsPointwise)
                Pointwise(x, batch, groups, outPerGroup, w);
            else if (typeof(T) == typeof(float) && UsesChannelVector(kernel, outPerGroup, w, out bool wide))
                ChannelVectorConv.Run(new ConvOperands<float>((float*)x.Input, (float*)x.Weight, (float*)x.Bias, (float*)x.Output), batch, groups, outPerGroup, w, wide);
            else if ((kernel == ConvMicroKernel.FlatPositions || (kernel == ConvMicroKernel.Best && SuitsDirect(outPerGroup, w))) && FlatPositionConv<T>.IsSupported(w))
                FlatPositionConv<T>.Run(x, batch, groups, outPerGroup, w);
            else if (kernel == ConvMicroKernel.Direct || (kernel == ConvMicroKernel.Best && SuitsDirect(outPerGroup, w) && DirectConv<T>.IsSupported(w)))
                DirectConv<T>.Run(x, batch, groups, outPerGroup, w);
            else if (kernel == ConvMicroKernel.Fma512Rows8 || (kernel == ConvMicroKernel.Best && Fma512Rows8Kernel<T>.Suits(outPerGroup)))
                ConvGemm<T, Fma512Rows8Kernel<T>>.Run(x, batch, groups, outPerGroup, w);
            else if (kernel == ConvMicroKernel.Fma256 || (kernel == ConvMicroKernel.Best && Gemm.Gemm.IsVectorized))
                ConvGemm<T, Fma256Kernel<T>>.Run(x, batch, groups, outPerGroup, w);
            else
                ConvGemm<T, ScalarKernel<T>>.Run(x, batch, groups, outPerGroup, w);
        }
    }

    /// <summary>
    /// A 1×1 convolution with stride 1 and no padding: the image of each group already is the im2col matrix
    /// [C_in/groups, H·W], so each (image, group) is one GEMM into the output (onto the bias when there is one).
    /// </summary>
    private static void Pointwise<T>(ConvOperands<T> x, int batch, int groups, int m, SlidingWindow w)
        where T : unmanaged, INumberBase<T>
    {
        int k = w.Channels, l = w.Columns;
        long units = (long)batch * groups, work = (long)m * k * l;
        void Unit(long unit, bool parallel)
        {
            int group = (int)(unit % groups);
            T* output = x.Output + unit * m * l;
            if (x.Bias != null)
            {
                for (int row = 0; row < m; row++)
                    Runs.Fill(output + (nint)row * l, x.Bias[group * m + row], l);
            }
            Gemm.Gemm.Run(m, l, k,
                new MatrixRef<T>(x.Weight + (nint)group * m * k, k, 1),
                new MatrixRef<T>(x.Input + unit * k * l, l, 1),
                new MatrixRef<T>(output, l, 1),
                accumulate: x.Bias != null, parallel);
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

    /// <summary>No input channels: every output is its channel's bias (or zero).</summary>
    private static void BiasOnly<T>(ConvOperands<T> x, int batch, int groups, int m, int l) where T : unmanaged
    {
        for (int unit = 0; unit < batch * groups; unit++)
        {
            for (int row = 0; row < m; row++)
                Runs.Fill(x.Output + ((nint)unit * m + row) * l, x.Bias == null ? default : x.Bias[unit % groups * m + row], l);
        }
    }
}
