using System.Numerics;
using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Recurrent;

/// <summary>
/// The CPU kernel of <c>lstm_layer</c>. Each step computes every gate as bias + W_hh·h + W_ih·x with the batch along
/// vector lanes and applies the cell in registers (<see cref="LstmGateTile"/>, over <see cref="LstmSequence{T}"/>'s
/// transposed buffers); the weights' layout (<see cref="LstmWeightLayout"/>) is made once per weight and kept with it
/// while it is unchanged. A step splits by hidden units into parts that run on their own threads for the whole sequence
/// (<see cref="StepSchedule"/>) and meet once per step. Results do not depend on the split, the tiling or the register
/// width: every lane's sums and cell round the same way in each.
/// </summary>
internal static class LstmLayerKernel
{
    /// <summary>Units below which a part is not worth its thread.</summary>
    private const int MinUnitsPerPart = 16;

    /// <summary>Multiply-adds of one step below which the whole step stays on one thread (a step meeting costs ~1 µs).</summary>
    private const long ParallelStepWork = 1 << 16;

    /// <summary>Runs the op: inputs (input, h0, c0, weight_ih, weight_hh[, bias_ih, bias_hh]); returns out, h_n and c_n.</summary>
    /// <exception cref="ArgumentException">The inputs do not fit (see <see cref="RecurrentOps.LstmLayerSizes"/>).</exception>
    internal static Tensor[] Run(IReadOnlyList<Tensor> inputs, bool reverse) =>
        Run(inputs, reverse, Lanes512.IsSupported ? LstmLanes.Zmm : LstmLanes.Ymm);

    /// <summary>The op with float32 in <paramref name="lanes"/> where the CPU runs them (tests compare the widths); float64 and CPUs without FMA run scalar.</summary>
    internal static Tensor[] Run(IReadOnlyList<Tensor> inputs, bool reverse, LstmLanes lanes)
    {
        var (steps, batch, hidden) = RecurrentOps.LstmLayerSizes([.. inputs.Select(t => t.shape)], [.. inputs.Select(t => t.DType)]);
        if (inputs[0].DType != DType.Float32)
            return Run<double>(inputs, (int)steps, (int)batch, (int)hidden, reverse, LstmLanes.Scalar);
        bool runs = lanes == LstmLanes.Zmm ? Lanes512.IsSupported : Lanes256.IsSupported;
        return Run<float>(inputs, (int)steps, (int)batch, (int)hidden, reverse, runs ? lanes : LstmLanes.Scalar);
    }

    private static Tensor[] Run<T>(IReadOnlyList<Tensor> inputs, int steps, int batch, int hidden, bool reverse, LstmLanes lanes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dtype = inputs[0].DType;
        int inputSize = (int)inputs[0].shape[2];
        var wHh = Prepared<T>(inputs[4], "weight_hh", hidden);
        var wIh = Prepared<T>(inputs[3], "weight_ih", hidden);
        var bias = inputs.Count > 5
            ? LstmWeightLayout.Bias<T>(inputs[5].Contiguous().Span<T>(), inputs[6].Contiguous().Span<T>(), hidden)
            : LstmWeightLayout.Bias<T>([], [], hidden);
        var output = Tensor.Empty(dtype, [steps, batch, hidden]);
        var cell = Tensor.Empty(dtype, [batch, hidden]);
        int[] bounds = PartBounds(batch, hidden, inputSize);
        // A tile's 4 accumulators per unit, its lanes and a broadcast fit the 16 ymm registers up to 3 units, the 32 zmm ones up to 6.
        int maxUnits = lanes == LstmLanes.Ymm ? 3 : LstmGateTile.BlockUnits;
        var tiles = Enumerable.Range(0, bounds.Length - 1).Select(p => LstmWeightLayout.Tiles(bounds[p], bounds[p + 1], maxUnits)).ToArray();
        var sequence = new LstmSequence<T>(lanes, steps, batch, hidden, inputSize, reverse,
            inputs[0].Contiguous().Span<T>(), inputs[1].Contiguous().Span<T>(), inputs[2].Contiguous().Span<T>(), wHh, wIh, bias);
        if (batch > 0) StepSchedule.Run(steps, tiles.Length, (step, p) => sequence.Step(step, tiles[p]));
        sequence.WriteResults(output.Span<T>(), cell.Span<T>());
        var last = reverse ? 0 : steps - 1;
        return [output, output.Select(0, last).Clone(), cell];
    }

    /// <summary>The first hidden unit of each part and, last, the hidden size: one part per thread when a step is big enough, else one.</summary>
    private static int[] PartBounds(int batch, int hidden, int inputSize)
    {
        int parts = Math.Min(Threading.NumThreads, Math.Max(1, hidden / MinUnitsPerPart));
        if ((long)batch * 4 * hidden * (hidden + inputSize) < ParallelStepWork) parts = 1;
        var bounds = new int[parts + 1];
        for (int p = 1; p <= parts; p++) bounds[p] = (int)((long)hidden * p / parts);
        return bounds;
    }

    /// <summary>Where and how a weight was laid out, to find the layout again on the weight's storage.</summary>
    private readonly record struct LayoutKey(string Role, DType DType, long Offset, long Rows, long Columns, long RowStride, long ColumnStride);

    /// <summary>
    /// <paramref name="weight"/> in <see cref="LstmWeightLayout"/>, kept with the weight's storage until the weight is
    /// written (<see cref="PackedWeightCache"/>) when it is a module's weight, so a model's later calls skip it.
    /// </summary>
    private static T[] Prepared<T>(Tensor weight, string role, int hidden) where T : unmanaged
    {
        if (!PackedWeightCache.IsWeight(weight)) return LstmWeightLayout.Pack<T>(weight, hidden);
        var key = new LayoutKey(role, weight.DType, weight.offset, weight.shape[0], weight.shape[1], weight.strides[0], weight.strides[1]);
        return PackedWeightCache.GetOrCreate(weight.storage, key, (weight, hidden), static s => LstmWeightLayout.Pack<T>(s.weight, s.hidden));
    }
}
