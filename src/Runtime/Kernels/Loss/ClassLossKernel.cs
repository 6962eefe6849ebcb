using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>
/// cross_entropy and nll_loss. Each position (a row of C class scores) is one fused pass: for cross_entropy
/// its max, the sum of exponentials and the pick of the target's score (nothing of the input's size is
/// materialised; see <see cref="LogSumExp"/>); for nll_loss just the pick. Inputs [N, C, d1, ...] run a block
/// of positions at a time, vectorised across the positions. Positions are split into a fixed number of chunks
/// (so sums do not depend on the thread count) spread over both cores; losses and weights are summed in float64.
/// </summary>
internal sealed class ClassLossKernel
{
    /// <summary>Elements of input per chunk of positions; a chunk is the unit of parallel work.</summary>
    private const long ChunkElements = 1 << 14;
    private const long MaxChunks = 64;

    private readonly string op;
    private readonly ClassLayout input;
    private readonly ClassLayout target;
    private readonly Tensor? weight;
    private readonly long ignoreIndex;
    private readonly double smoothing;
    private readonly bool logSoftmax;
    private readonly bool probabilities;
    private readonly long[] unreducedShape;

    private ClassLossKernel(string op, ClassLayout input, ClassLayout target, Tensor? weight, long ignoreIndex, double smoothing, bool logSoftmax, bool probabilities, long[] unreducedShape)
    {
        (this.op, this.input, this.target, this.weight, this.ignoreIndex, this.smoothing) = (op, input, target, weight, ignoreIndex, smoothing);
        (this.logSoftmax, this.probabilities, this.unreducedShape) = (logSoftmax, probabilities, unreducedShape);
    }

    /// <summary>
    /// <c>F.cross_entropy</c> (<paramref name="logSoftmax"/>) or <c>F.nll_loss</c>: checks the call with
    /// <see cref="LossRules.ClassLoss"/>, then runs it.
    /// </summary>
    internal static Tensor Run(string op, Tensor input, Tensor target, Tensor? weight, long ignoreIndex, string reduction, double labelSmoothing, bool logSoftmax)
    {
        var how = LossRules.ParseReduction(op, reduction);
        var form = LossRules.ClassLoss(op, LossResults.TypeOf(input)!, LossResults.TypeOf(target)!, LossResults.TypeOf(weight), ignoreIndex, labelSmoothing, allowProbabilities: logSoftmax);
        var compute = form.ResultDType == DType.Float64 ? DType.Float64 : DType.Float32;
        var x = ClassLayout.OfInput(input.To(compute));
        var t = form.Probabilities ? ClassLayout.OfInput(target.To(compute)) : ClassLayout.OfTarget(target);
        var kernel = new ClassLossKernel(op, x, t, weight?.To(compute).Contiguous(), ignoreIndex, labelSmoothing, logSoftmax, form.Probabilities, form.UnreducedShape);
        return compute == DType.Float64
            ? kernel.Compute<double>(how, form.ResultDType, input.numel == 0)
            : kernel.Compute<float>(how, form.ResultDType, input.numel == 0);
    }

    private Tensor Compute<T>(LossReduction reduction, DType result, bool emptyInput) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long positions = input.Positions;
        var compute = typeof(T) == typeof(double) ? DType.Float64 : DType.Float32;
        var unreduced = reduction == LossReduction.None ? Tensor.Empty(compute, unreducedShape) : null;
        long chunks = positions == 0 ? 0 : Math.Clamp(positions * Math.Max(input.C, 1) / ChunkElements, 1, Math.Min(MaxChunks, positions));
        var lossSums = new double[chunks];
        var weightSums = new double[chunks];
        CpuParallel.For(chunks, 2, (first, end) =>
        {
            var work = new Workspace<T>(this);
            for (long c = first; c < end; c++)
            {
                long start = positions * c / chunks, stop = positions * (c + 1) / chunks;
                (lossSums[c], weightSums[c]) = ByColumns ? Columns(start, stop, work, unreduced) : Positions(start, stop, work, unreduced);
            }
        });
        if (unreduced is not null) return unreduced.To(result);
        double total = lossSums.Sum();
        double value = reduction == LossReduction.Sum ? total
            : probabilities ? (emptyInput ? double.NaN : total / positions)
            : total / weightSums.Sum();
        return LossResults.Scalar(value, compute, result);
    }

    /// <summary>Whether cross_entropy runs a block of positions at a time: the classes are strided, the positions contiguous ([N, C, d1, ...]).</summary>
    private bool ByColumns => logSoftmax && !probabilities && input.C > 0 && input.D > 1 && input.StrideD == 1;

    /// <summary>Per-thread buffers: a gathered row of input and of target, and a block's max, log-sum and smoothing sums.</summary>
    private sealed class Workspace<T>(ClassLossKernel kernel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        public const int Block = 256;
        public readonly T[]? Row = kernel.input.StrideC == 1 ? null : new T[kernel.input.C];
        public readonly T[]? TargetRow = kernel.probabilities && kernel.target.StrideC != 1 ? new T[kernel.input.C] : null;
        public readonly T[] Max = new T[Block], LogSum = new T[Block], Shifted = new T[Block];
        public readonly T WeightTotal = kernel.weight is null ? T.CreateTruncating(kernel.input.C) : TensorPrimitives.Sum<T>(kernel.weight.Span<T>());
    }

    /// <summary>Positions [start, stop) one at a time; the sums of their losses and weights.</summary>
    private (double Loss, double Weight) Positions<T>(long start, long stop, Workspace<T> work, Tensor? unreduced) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double lossSum = 0, weightSum = 0;
        for (long p = start; p < stop; p++)
        {
            var (loss, w) = probabilities ? Soft(p, work) : Hard(p, work);
            if (unreduced is not null) unreduced.Ref<T>(p) = loss;
            lossSum += double.CreateTruncating(loss);
            weightSum += double.CreateTruncating(w);
        }
        return (lossSum, weightSum);
    }

    /// <summary>Positions [start, stop) a block at a time (never crossing a batch element); the sums of their losses and weights.</summary>
    private (double Loss, double Weight) Columns<T>(long start, long stop, Workspace<T> work, Tensor? unreduced) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double lossSum = 0, weightSum = 0;
        ReadOnlySpan<T> weights = weight is null ? default : weight.Span<T>();
        for (long p = start; p < stop;)
        {
            long n = p / input.D, d = p % input.D;
            int length = (int)Math.Min(Math.Min(Workspace<T>.Block, input.D - d), stop - p);
            ref T first = ref input.Tensor.Ref<T>(n * input.StrideN + d);
            LogSumExp.Columns(ref first, input.C, input.StrideC, weights, smoothing > 0, work.Max.AsSpan(0, length), work.LogSum.AsSpan(0, length), work.Shifted.AsSpan(0, length));
            for (int j = 0; j < length; j++, p++)
            {
                long t = Target(p);
                T loss = T.Zero, w = T.Zero;
                if (t != ignoreIndex)
                {
                    w = weight is null ? T.One : weights[(int)t];
                    T nll = work.LogSum[j] - (Unsafe.Add(ref first, (nint)(t * input.StrideC + j)) - work.Max[j]);
                    loss = Smoothed(w, nll, work.LogSum[j], work.Shifted[j], work.WeightTotal);
                }
                if (unreduced is not null) unreduced.Ref<T>(p) = loss;
                lossSum += double.CreateTruncating(loss);
                weightSum += double.CreateTruncating(w);
            }
        }
        return (lossSum, weightSum);
    }

    /// <summary>The class index at position <paramref name="p"/>, checked unless it is ignore_index.</summary>
    private long Target(long p)
    {
        long t = target.Tensor.Ref<long>(target.Offset(p));
        if (t != ignoreIndex && (t < 0 || t >= input.C)) ThrowTargetOutOfRange(p, t);
        return t;
    }

    /// <summary>The loss and the weight (for the mean's denominator) at position <paramref name="p"/> with a class-index target.</summary>
    private (T Loss, T Weight) Hard<T>(long p, Workspace<T> work) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long t = Target(p);
        if (t == ignoreIndex) return (T.Zero, T.Zero);
        T w = weight is null ? T.One : weight.Ref<T>(t);
        long offset = input.Offset(p);
        if (!logSoftmax) return (-input.Tensor.Ref<T>(offset + t * input.StrideC) * w, w);
        var row = Row(input, offset, work.Row);
        var (max, logSum, shifted) = LogSumExp.Row(row, weight is null ? default : weight.Span<T>(), smoothing > 0);
        return (Smoothed(w, logSum - (row[(int)t] - max), logSum, shifted, work.WeightTotal), w);
    }

    /// <summary>
    /// (1 - ε)·w·nll + ε/C·Σ_c w_c·(logsum - (x_c - max)), the second sum being logsum·Σw - <paramref name="shifted"/>
    /// (both terms are ≥ 0, so nothing cancels); just w·nll without smoothing.
    /// </summary>
    private T Smoothed<T>(T w, T nll, T logSum, T shifted, T weightTotal) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (smoothing == 0) return w * nll;
        T eps = T.CreateTruncating(smoothing);
        return (T.One - eps) * w * nll + eps / T.CreateTruncating(input.C) * (logSum * weightTotal - shifted);
    }

    /// <summary>The loss at position <paramref name="p"/> with class probabilities: Σ_c w_c·y'_c·(logsum - (x_c - max)), y' smoothed.</summary>
    private (T Loss, T Weight) Soft<T>(long p, Workspace<T> work) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (input.C == 0) return (T.Zero, T.One);
        var row = Row(input, input.Offset(p), work.Row);
        var probs = Row(target, target.Offset(p), work.TargetRow);
        var (max, logSum, _) = LogSumExp.Row(row, default, smoothing: false);
        T keep = T.One - T.CreateTruncating(smoothing), spread = T.CreateTruncating(smoothing) / T.CreateTruncating(input.C);
        T loss = T.Zero;
        for (int c = 0; c < row.Length; c++)
        {
            T w = weight is null ? T.One : weight.Ref<T>(c);
            loss += w * (probs[c] * keep + spread) * (logSum - (row[c] - max));
        }
        return (loss, T.One);
    }

    /// <summary>The C class values at <paramref name="offset"/>: the storage itself when contiguous, else gathered into <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<T> Row<T>(ClassLayout layout, long offset, T[]? buffer) where T : unmanaged
    {
        ref T first = ref layout.Tensor.Ref<T>(offset);
        if (buffer is null) return MemoryMarshal.CreateReadOnlySpan(ref first, (int)layout.C);
        for (int c = 0; c < buffer.Length; c++)
            buffer[c] = Unsafe.Add(ref first, (nint)(c * layout.StrideC));
        return buffer;
    }

    private void ThrowTargetOutOfRange(long position, long value)
    {
        var index = new long[unreducedShape.Length];
        for (int d = index.Length - 1; d >= 0; d--)
        {
            index[d] = position % unreducedShape[d];
            position /= unreducedShape[d];
        }
        throw new IndexOutOfRangeException($"{op}: target {value} at index {Shapes.Format(index)} is out of bounds for {input.C} classes (expected a class index in [0, {input.C}) or ignore_index {ignoreIndex})");
    }
}
