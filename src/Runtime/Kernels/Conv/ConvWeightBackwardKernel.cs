using System.Numerics;
using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// conv_weight_backward: the weight gradient of conv1d/conv2d as one GEMM per (sample, group), dW_g += dY_g·colsᵀ,
/// where cols is the im2col matrix of the sample's input (dot products of rows when there are few output channels).
/// The batch is split across threads, each summing into its own copy of the (small) weight gradient; the copies
/// are added at the end. The im2col matrix lives in the thread's scratch (<see cref="ThreadScratch"/>), so steady-state calls allocate no pinned memory.
/// </summary>
internal static unsafe class ConvWeightBackwardKernel
{
    /// <summary>
    /// Below this many output channels per group (LeNet's first layer has 6) the GEMM's row tiles are mostly
    /// empty; one dot product per (channel, column row) over the contiguous rows of dY and cols took a third less CPU
    /// time than the GEMM for LeNet's conv1 (6 channels, 25 × 784 columns).
    /// </summary>
    private const int FewChannels = 8;

    /// <summary>The weight gradient for <paramref name="gradOutput"/> and <paramref name="input"/> under <paramref name="attrs"/>.</summary>
    internal static Tensor Run(Tensor gradOutput, Tensor input, Attrs attrs)
    {
        const string Op = "conv_weight_backward";
        var dtype = ConvOps.CheckDTypes(Op, input.DType, gradOutput.DType, null);
        var plan = ConvGradients.WeightGradientPlan(gradOutput.shape, input.shape, attrs);
        var result = Tensor.Empty(dtype, plan.OutputShape);
        switch (dtype)
        {
            case DType.Float32: Typed<float>(plan, gradOutput, input, result); break;
            case DType.Float64: Typed<double>(plan, gradOutput, input, result); break;
            default:
                var wide = Tensor.Empty(DType.Float32, plan.OutputShape);
                Typed<float>(plan, gradOutput.To(DType.Float32), input.To(DType.Float32), wide);
                CastKernel.Cast(wide, result);
                break;
        }
        return result;
    }

    private static void Typed<T>(ConvPlan plan, Tensor gradOutput, Tensor input, Tensor result) where T : unmanaged, INumberBase<T>
    {
        gradOutput = gradOutput.Contiguous();
        input = input.Contiguous();
        var w = new SlidingWindow(plan.Window);
        int groups = checked((int)plan.Groups), m = checked((int)(plan.OutChannels / plan.Groups));
        int rows = w.Rows, columns = w.Columns;
        long batch = plan.Batch, size = (long)groups * m * rows;
        var total = result.Span<T>();
        total.Clear();
        if (batch == 0 || columns == 0) return;
        long work = (long)groups * m * rows * columns;
        var gate = new object();
        fixed (byte* pg = gradOutput.storage.Bytes, pi = input.storage.Bytes)
        {
            T* grad = (T*)pg + gradOutput.offset, image = (T*)pi + input.offset;
            CpuParallel.For(batch, Math.Max(1, Gemm.Gemm.ParallelThreshold / Math.Max(1, work)), (start, end) =>
            {
                bool alone = start == 0 && end == batch;
                var partial = alone ? null : new T[size];
                T* cols = ThreadScratch.Get<T>(ThreadScratch.Slot.Columns, (long)rows * columns);
                fixed (T* own = partial)
                fixed (byte* pr = result.storage.Bytes)
                {
                    T* target = alone ? (T*)pr + result.offset : own;
                    for (long n = start; n < end; n++)
                    {
                        for (int g = 0; g < groups; g++)
                        {
                            Im2Col.Gather(image + (n * groups + g) * w.ImageSize, w, 0, rows, 0, columns, cols, PanelLayout.Matrix(columns));
                            // dW_g [m, rows] += dY[n, g] [m, columns] · colsᵀ [columns, rows]; colsᵀ is read in place.
                            T* gradRows = grad + (n * groups + g) * (long)m * columns, weightRows = target + (long)g * m * rows;
                            if (m < FewChannels)
                                RowDots(m, rows, columns, gradRows, cols, weightRows, accumulate: n > start);
                            else
                                Gemm.Gemm.Run(m, rows, columns, new MatrixRef<T>(gradRows, columns, 1), new MatrixRef<T>(cols, 1, columns),
                                    new MatrixRef<T>(weightRows, rows, 1), accumulate: n > start, parallel: alone);
                        }
                    }
                }
                if (partial is null) return;
                lock (gate)
                {
                    var sum = result.Span<T>();
                    System.Numerics.Tensors.TensorPrimitives.Add(sum, partial, sum);
                }
            });
        }
    }

    /// <summary>target[o, r] (+)= dY[o, :] · cols[r, :] for the <paramref name="m"/> × <paramref name="rows"/> results, rows of length <paramref name="columns"/>.</summary>
    private static void RowDots<T>(int m, int rows, int columns, T* gradRows, T* cols, T* target, bool accumulate) where T : unmanaged, INumberBase<T>
    {
        for (int o = 0; o < m; o++)
        {
            var gradRow = new ReadOnlySpan<T>(gradRows + (long)o * columns, columns);
            for (int r = 0; r < rows; r++)
            {
                T dot = System.Numerics.Tensors.TensorPrimitives.Dot(gradRow, new ReadOnlySpan<T>(cols + (long)r * columns, columns));
                T* at = target + (long)o * rows + r;
                *at = accumulate ? *at + dot : dot;
            }
        }
    }
}
