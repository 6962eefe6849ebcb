using Kiln.IR;

namespace Kiln.Kernels.Elementwise;

/// <summary>
/// One elementwise op call once dtypes and shapes are settled: the inputs converted to the compute dtype,
/// the broadcast shape, and the tensor the kernel writes (a new one, or the output of an in-place op).
/// The unary, binary and ternary drivers all go through it.
/// </summary>
internal readonly struct ElementwisePlan
{
    private readonly Tensor? output;
    private readonly DType result;

    private ElementwisePlan(Tensor[] inputs, Tensor dest, Tensor? output, DType compute, DType result, long[] shape)
    {
        Inputs = inputs;
        Dest = dest;
        this.output = output;
        Compute = compute;
        this.result = result;
        Shape = shape;
    }

    /// <summary>The inputs in the order given, converted to <see cref="Compute"/> (except pass-through ones).</summary>
    internal Tensor[] Inputs { get; }

    /// <summary>The tensor the kernel writes: of the compute dtype, or bool for predicates.</summary>
    internal Tensor Dest { get; }

    /// <summary>The dtype the arithmetic runs in.</summary>
    internal DType Compute { get; }

    /// <summary>The broadcast shape of the inputs.</summary>
    internal long[] Shape { get; }

    /// <summary>
    /// Checks that <paramref name="promoted"/> (the inputs' common dtype) is allowed, broadcasts, converts the
    /// inputs (in place in <paramref name="inputs"/>) and creates or checks the destination.
    /// </summary>
    /// <param name="name">The op name, for error messages.</param>
    /// <param name="inputs">The operands; replaced by their compute-dtype forms.</param>
    /// <param name="promoted">The inputs' promoted dtype.</param>
    /// <param name="kind">Same: the promoted dtype's own arithmetic; Float: floating point; Bool: a predicate.</param>
    /// <param name="allowed">The dtypes <paramref name="promoted"/> may be.</param>
    /// <param name="output">The tensor an in-place op writes, or null for a new result.</param>
    /// <param name="compute">Overrides the compute dtype (ops that only move elements compute in the promoted dtype itself).</param>
    /// <param name="passThrough">How many trailing inputs keep their own dtype (where's bool condition).</param>
    internal static ElementwisePlan Create(string name, Tensor[] inputs, DType promoted, ResultKind kind, IReadOnlyList<DType> allowed, Tensor? output,
        DType? compute = null, int passThrough = 0)
    {
        int converted = inputs.Length - passThrough;
        Operands.CheckPromoted(name, promoted, inputs.AsSpan(0, converted), allowed);
        var computeDType = compute ?? Operands.ComputeDType(promoted, floatOnly: kind == ResultKind.Float);
        var result = TypeRules.ResultDType(kind, promoted);
        var shape = BroadcastShape(name, inputs);
        // Inputs are cast to PyTorch's common dtype first (the promoted dtype, or for float ops on integers the
        // float result), so a float64 0-d tensor added to a float16 tensor is rounded to float16 before the
        // float32 arithmetic, and an int64 0-d 300 compared with an int8 tensor wraps to 44 as in PyTorch.
        var common = kind == ResultKind.Float ? result : promoted;
        for (int i = 0; i < converted; i++)
            inputs[i] = inputs[i].ToUntracked(common).ToUntracked(computeDType);
        var destDType = kind == ResultKind.Bool ? DType.Bool : computeDType;
        Tensor dest;
        if (output is null)
        {
            dest = Tensor.Empty(destDType, shape);
        }
        else
        {
            Operands.CheckCanCast(name, result, output.DType);
            if (!output.shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"{name}_: output with shape {Shapes.Format(output.shape)} doesn't match the broadcast shape {Shapes.Format(shape)}");
            CheckNoInternalOverlap(name, output);
            dest = output.DType == destDType ? output : Tensor.Empty(destDType, shape);
            // An input that overlaps the output without being the very same view would be read after
            // elements it shares were overwritten; reading a copy keeps the op elementwise.
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].SharesStorageWith(dest) && !SameView(inputs[i], dest)) inputs[i] = inputs[i].CloneUntracked();
            }
        }
        return new ElementwisePlan(inputs, dest, output, computeDType, result, shape);
    }

    private static void CheckNoInternalOverlap(string name, Tensor output)
    {
        for (int d = 0; d < output.shape.Length; d++)
        {
            if (output.strides[d] == 0 && output.shape[d] > 1)
                throw new ArgumentException($"{name}_: the output of shape {Shapes.Format(output.shape)} is a broadcast (expanded) view whose elements share memory along dim {d}; write into a Clone() instead");
        }
    }

    private static bool SameView(Tensor a, Tensor b) =>
        a.offset == b.offset && a.shape.AsSpan().SequenceEqual(b.shape) && a.strides.AsSpan().SequenceEqual(b.strides);

    /// <summary>
    /// The result: the destination converted to the result dtype, or the in-place output written back and its
    /// version bumped (so autograd knows tensors saved before the write are stale).
    /// </summary>
    internal Tensor Finish()
    {
        if (output is null) return Dest.ToUntracked(result);
        if (ReferenceEquals(Dest, output)) output.MarkModified();
        else output.Copy_(Dest);
        return output;
    }

    /// <summary>
    /// Runs <paramref name="rows"/> over the destination (operand 0) and the inputs (operands 1..n). When
    /// every operand is contiguous, or a one-element broadcast, the whole op is one flat row (split across
    /// threads when large); otherwise <see cref="RowLoop"/> walks the strided, broadcast layout.
    /// </summary>
    internal void Run<TRows>(TRows rows) where TRows : struct, IRowKernel
    {
        long total = Dest.numel;
        if (total == 0) return;
        int operands = Inputs.Length + 1;
        if (IsFlat(total))
        {
            Span<long> strides = stackalloc long[operands];
            strides[0] = 1;
            for (int k = 1; k < operands; k++)
                strides[k] = Inputs[k - 1].numel == total ? 1 : 0;
            if (total < CpuParallel.ElementwiseGrain)
            {
                // Small work: one row on this thread, no allocation.
                Span<long> offsets = stackalloc long[operands];
                offsets.Clear();
                rows.Row(offsets, strides, total);
                return;
            }
            var flat = strides.ToArray();
            CpuParallel.For(total, CpuParallel.ElementwiseGrain, (start, end) =>
            {
                Span<long> offsets = stackalloc long[flat.Length];
                for (int k = 0; k < flat.Length; k++) offsets[k] = flat[k] * start;
                rows.Row(offsets, flat, end - start);
            });
            return;
        }
        var all = new long[operands][];
        all[0] = Dest.strides;
        for (int k = 1; k < operands; k++)
            all[k] = CopyKernel.BroadcastStrides(Inputs[k - 1], Shape, "elementwise");
        RowLoop.Run(Shape, all, rows);
    }

    private bool IsFlat(long total)
    {
        if (!Dest.IsContiguous) return false;
        foreach (var input in Inputs)
        {
            if (!input.IsContiguous || (input.numel != total && input.numel != 1)) return false;
        }
        return true;
    }

    private static long[] BroadcastShape(string name, Tensor[] inputs)
    {
        var shape = inputs[0].shape;
        for (int i = 1; i < inputs.Length; i++)
            shape = Shapes.Broadcast(name, shape, inputs[i].shape);
        return ReferenceEquals(shape, inputs[0].shape) ? (long[])shape.Clone() : shape;
    }
}
