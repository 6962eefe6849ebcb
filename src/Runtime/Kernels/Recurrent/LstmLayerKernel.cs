using System.Numerics;
using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Recurrent;

/// <summary>
/// The CPU kernel of <c>lstm_layer</c>. The input projection of every step is one product; then each step adds
/// <c>h·W_hhᵀ</c> onto its projected gates and applies the cell. The weights' layouts (W_hhᵀ packed) are made once per
/// weight and kept with it while it is unchanged.
/// A step splits by hidden units into parts that run on their own threads for the whole sequence
/// (<see cref="StepSchedule"/>): the weight rows of each part's units are laid out gate by gate (i, f, g, o) next to
/// each other, so a part's product, gates, cell and h touch only its own columns, and parts meet once per step.
/// </summary>
internal static class LstmLayerKernel
{
    /// <summary>Units below which a part is not worth its thread.</summary>
    private const int MinUnitsPerPart = 16;

    /// <summary>Multiply-adds of one step below which the whole step stays on one thread (a step meeting costs ~1 µs).</summary>
    private const long ParallelStepWork = 1 << 16;

    /// <summary>Runs the op: inputs (input, h0, c0, weight_ih, weight_hh[, bias_ih, bias_hh]); returns out, h_n and c_n.</summary>
    /// <exception cref="ArgumentException">The inputs do not fit (see <see cref="RecurrentOps.LstmLayerSizes"/>).</exception>
    internal static Tensor[] Run(IReadOnlyList<Tensor> inputs, bool reverse)
    {
        var (steps, batch, hidden) = RecurrentOps.LstmLayerSizes([.. inputs.Select(t => t.shape)], [.. inputs.Select(t => t.DType)]);
        return inputs[0].DType == DType.Float32
            ? Run<float>(inputs, (int)steps, (int)batch, (int)hidden, reverse)
            : Run<double>(inputs, (int)steps, (int)batch, (int)hidden, reverse);
    }

    private static Tensor[] Run<T>(IReadOnlyList<Tensor> inputs, int steps, int batch, int hidden, bool reverse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dtype = inputs[0].DType;
        int inputSize = (int)inputs[0].shape[2], gates = 4 * hidden;
        int[] bounds = PartBounds(batch, hidden);
        int parts = bounds.Length - 1;
        // The input projection of every step is one product (columns in part order, W_ih laid out once per weight); each
        // step's product with W_hhᵀ (packed once per weight) accumulates onto its rows, and the cell adds both biases.
        var projected = Tensor.Empty(dtype, [(long)steps * batch, gates]);
        var x = inputs[0].Reshape([(long)steps * batch, inputSize]);
        var wIh = Prepared(inputs[3], "weight_ih", bounds, () => PartRows<T>(inputs[3], bounds, inputSize));
        MatmulKernel.MatmulInto(x, wIh.TransposeUntracked(0, 1), projected, accumulate: false, weightB: PackedWeightCache.IsWeight(inputs[3]));
        var packedHh = Prepared(inputs[4], "weight_hh", bounds, () => PackParts<T>(inputs[4], bounds));
        var bias = inputs.Count > 5 ? CombinedBias<T>(inputs[5].Contiguous().Span<T>(), inputs[6].Contiguous().Span<T>(), bounds) : [];
        var output = Tensor.Empty(dtype, [steps, batch, hidden]);
        var cell = inputs[2].Contiguous().Clone();
        var h0 = inputs[1].Contiguous();
        StepSchedule.Run(steps, parts, (step, p) =>
        {
            int t = reverse ? steps - 1 - step : step;
            int previous = reverse ? t + 1 : t - 1;
            int u0 = bounds[p], units = bounds[p + 1] - u0;
            if (units == 0 || batch == 0) return;
            ReadOnlySpan<T> hPrev = step == 0 ? h0.Span<T>() : output.Span<T>((long)previous * batch * hidden, (long)batch * hidden);
            var stepGates = projected.Span<T>((long)t * batch * gates, (long)batch * gates);
            Gemm.Gemm.RunPacked(batch, hPrev, (hidden, 1), packedHh[p], stepGates[(4 * u0)..], (gates, 1), accumulate: true, parallel: false);
            var hOut = output.Span<T>((long)t * batch * hidden, (long)batch * hidden);
            var c = cell.Span<T>();
            var partBias = bias.Length == 0 ? default : bias.AsSpan(4 * u0, 4 * units);
            for (int r = 0; r < batch; r++)
                LstmCell.Apply(stepGates.Slice(r * gates + 4 * u0, 4 * units), partBias, c.Slice(r * hidden + u0, units), hOut.Slice(r * hidden + u0, units));
        });
        var last = reverse ? 0 : steps - 1;
        return [output, output.Select(0, last).Clone(), cell];
    }

    /// <summary>
    /// The first hidden unit of each part and, last, the hidden size: one part per thread when a step is big enough, else
    /// one. Parts start at multiples of 16 units, so only the last part ends in a partial vector, the same units as with
    /// one part: the cell's results do not depend on the thread count.
    /// </summary>
    private static int[] PartBounds(int batch, int hidden)
    {
        int parts = Math.Min(Threading.NumThreads, Math.Max(1, hidden / MinUnitsPerPart));
        if ((long)batch * hidden * 4 * hidden < ParallelStepWork) parts = 1;
        var bounds = new int[parts + 1];
        for (int p = 1; p < parts; p++) bounds[p] = (int)((long)hidden * p / parts / 16 * 16);
        bounds[parts] = hidden;
        return bounds;
    }

    /// <summary>Where and how a weight was laid out in part order, to find the layout again on the weight's storage.</summary>
    private readonly record struct PartLayoutKey(string Role, DType DType, long Offset, long Rows, long Columns, long RowStride, long ColumnStride,
        int Parts, MicroKernelChoice Kernel);

    /// <summary>
    /// <paramref name="create"/>'s layout of <paramref name="weight"/>, kept with the weight's storage until the weight is
    /// written (<see cref="PackedWeightCache"/>) when it is a module's weight, so a model's later calls skip it.
    /// </summary>
    private static TValue Prepared<TValue>(Tensor weight, string role, int[] bounds, Func<TValue> create) where TValue : class
    {
        if (!PackedWeightCache.IsWeight(weight)) return create();
        var key = new PartLayoutKey(role, weight.DType, weight.offset, weight.shape[0], weight.shape[1], weight.strides[0], weight.strides[1],
            bounds.Length - 1, weight.DType == DType.Float32 ? Gemm.Gemm.BestKernel<float>() : Gemm.Gemm.BestKernel<double>());
        return PackedWeightCache.GetOrCreate(weight.storage, key, create, static c => c());
    }

    /// <summary>
    /// A [4H, columns] weight in part order, each part's block of rows packed for the product as its transpose
    /// [columns, 4·units] (element [q, j] is the block's row j, column q).
    /// </summary>
    private static PackedMatrixB<T>[] PackParts<T>(Tensor weight, int[] bounds) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int columns = (int)weight.shape[1];
        var rows = PartRows<T>(weight, bounds, columns).Span<T>();
        var packed = new PackedMatrixB<T>[bounds.Length - 1];
        for (int p = 0; p < packed.Length; p++)
            packed[p] = PackedMatrixB<T>.Pack(columns, 4 * (bounds[p + 1] - bounds[p]), rows[(4 * bounds[p] * columns)..], (1, columns));
        return packed;
    }

    /// <summary>
    /// The rows of a [4H, columns] weight in part order (see <see cref="OldRows"/>), as a new contiguous tensor.
    /// </summary>
    private static Tensor PartRows<T>(Tensor weight, int[] bounds, int columns) where T : unmanaged
    {
        var source = weight.Contiguous().Span<T>();
        var result = Tensor.Empty(weight.DType, [4L * bounds[^1], columns]);
        var target = result.Span<T>();
        var oldRows = OldRows(bounds);
        for (int row = 0; row < oldRows.Length; row++)
            source.Slice(oldRows[row] * columns, columns).CopyTo(target.Slice(row * columns, columns));
        return result;
    }

    /// <summary>b_ih + b_hh in part order.</summary>
    private static T[] CombinedBias<T>(ReadOnlySpan<T> biasIh, ReadOnlySpan<T> biasHh, int[] bounds) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var oldRows = OldRows(bounds);
        var combined = new T[oldRows.Length];
        for (int j = 0; j < combined.Length; j++) combined[j] = biasIh[oldRows[j]] + biasHh[oldRows[j]];
        return combined;
    }

    /// <summary>
    /// For each gate row in part order, the row of PyTorch's [4H, ...] layout it comes from: each part's units' i rows,
    /// then their f, g and o rows (row <c>4·u0 + k·units + j</c> is row <c>k·H + u0 + j</c>).
    /// </summary>
    private static int[] OldRows(int[] bounds)
    {
        int hidden = bounds[^1];
        var oldRows = new int[4 * hidden];
        for (int p = 0; p < bounds.Length - 1; p++)
        {
            int u0 = bounds[p], units = bounds[p + 1] - u0;
            for (int k = 0; k < 4; k++)
                for (int j = 0; j < units; j++) oldRows[4 * u0 + k * units + j] = k * hidden + u0 + j;
        }
        return oldRows;
    }
}
