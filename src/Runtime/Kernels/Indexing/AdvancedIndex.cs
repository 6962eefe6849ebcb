using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// An advanced index (<see cref="AdvancedIndexRules"/>) resolved against a tensor: masks turned into the
/// columns of their nonzero positions, integer indices checked and wrapped, and every operand laid out
/// over the result's shape, so that one <see cref="RowLoop"/> walk reads (index) or writes (index_put)
/// the indexed elements: the element of self at result position p lies at
/// <c>Σ selfStride·p + Σₖ index_k[p]·dimStride_k</c>.
/// </summary>
internal sealed class AdvancedIndex
{
    private readonly Tensor self;
    private readonly long[] selfStrides;
    private readonly Tensor[] indices;
    private readonly long[][] indexStrides;
    private readonly long[] dimStrides;

    private AdvancedIndex(Tensor self, long[] shape, long[] selfStrides, Tensor[] indices, long[][] indexStrides, long[] dimStrides)
    {
        this.self = self;
        Shape = shape;
        this.selfStrides = selfStrides;
        this.indices = indices;
        this.indexStrides = indexStrides;
        this.dimStrides = dimStrides;
    }

    /// <summary>The shape of the indexing result.</summary>
    internal long[] Shape { get; }

    /// <summary>
    /// Resolves index tensors placed at <paramref name="dims"/> (null: one after the other) against
    /// <paramref name="source"/>; <paramref name="call"/> names the call in messages.
    /// </summary>
    /// <exception cref="ArgumentException">The indices do not fit self (see <see cref="AdvancedIndexRules.Place"/>) or do not broadcast.</exception>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    internal static AdvancedIndex Resolve(IndexingCall call, Tensor source, IReadOnlyList<Tensor> tensors, long[]? dims)
    {
        var types = tensors.Select(t => new TensorType(t.DType, t.shape)).ToArray();
        var (adjusted, entries) = AdvancedIndexRules.Place(call, source.shape, types, dims);
        if (SingleMask(call, source, tensors, entries) is { } merged) return merged;
        var view = source;
        foreach (var e in entries.Where(e => e.IsMask && tensors[e.Tensor].Dim == 0))
            view = view.Unsqueeze(e.Dim);
        var nonzeros = new Tensor?[tensors.Count];
        var indices = new Tensor[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            var (k, dim, column) = (entries[i].Tensor, entries[i].Dim, entries[i].Column);
            var t = tensors[k];
            if (column < 0)
                indices[i] = IndexValues.Checked(call.Op, t, adjusted[dim], dim, allowNegative: true);
            else if (t.Dim == 0)
                indices[i] = Tensor.Zeros([Compaction.IsNonzero(t.Ref<byte>(), ulong.MaxValue) ? 1 : 0], DType.Int64);
            else
                indices[i] = (nonzeros[k] ??= NonzeroKernel.Run(t)).Select(1, column);
        }
        return Build(call, view, adjusted, entries.Select(e => e.Dim).ToArray(), indices);
    }

    /// <summary>
    /// One mask over dims that merge into one (<c>t[mask]</c>, <c>t[:, mask]</c> on a dense tensor): those dims
    /// are merged in a view and indexed by the mask's flat positions, a single integer index; null otherwise.
    /// </summary>
    private static AdvancedIndex? SingleMask(IndexingCall call, Tensor source, IReadOnlyList<Tensor> tensors, IndexEntry[] entries)
    {
        if (tensors.Count != 1 || !entries[0].IsMask || tensors[0].Dim == 0) return null;
        int d = entries[0].Dim, k = tensors[0].Dim;
        for (int j = d; j < d + k - 1; j++)
        {
            if (source.strides[j] != source.strides[j + 1] * source.shape[j + 1]) return null;
        }
        long[] shape = [.. source.shape[..d], Shapes.Numel(source.shape.AsSpan(d, k)), .. source.shape[(d + k)..]];
        long[] strides = [.. source.strides[..d], source.strides[d + k - 1], .. source.strides[(d + k)..]];
        return Build(call, source.AsStrided(shape, strides, source.offset), shape, [d], [NonzeroKernel.Flat(tensors[0])]);
    }

    private static AdvancedIndex Build(IndexingCall call, Tensor view, long[] shape, int[] indexedDims, Tensor[] indices)
    {
        var result = AdvancedIndexRules.ResultShape(call, shape, indexedDims, indices.Select(t => t.shape).ToArray());
        return new AdvancedIndex(view, result.Shape, SelfStrides(view, indexedDims, result), indices,
            indices.Select(t => IndexStrides(t, result)).ToArray(), indexedDims.Select(d => view.strides[d]).ToArray());
    }

    /// <summary>The indexed elements, as a new tensor of <see cref="Shape"/> (<c>self[indices]</c>).</summary>
    internal Tensor Gather()
    {
        var result = Tensor.Empty(self.DType, Shape);
        if (result.numel > 0)
            ElementDispatch.BySize(self.DType, new GatherAction(this, result));
        return result;
    }

    /// <summary>
    /// Writes <paramref name="values"/> (broadcast to <see cref="Shape"/>) into the indexed elements of self,
    /// or adds them with <paramref name="accumulate"/>, in row-major order on one thread so that repeated
    /// indices add up deterministically.
    /// </summary>
    internal void Put(Tensor values, bool accumulate)
    {
        if (Shapes.Numel(Shape) == 0) return;
        var valueStrides = CopyKernel.BroadcastStrides(values, Shape, "index_put");
        if (accumulate)
            ElementDispatch.ByDType(self.DType, new AccumulateAction(this, values, valueStrides));
        else
            ElementDispatch.BySize(self.DType, new AssignAction(this, values, valueStrides));
    }

    private long[][] Strides(long[] first) => [first, selfStrides, .. indexStrides];

    /// <summary>Self's strides over the result: 0 along the broadcast index dims, self's own along the dims not indexed.</summary>
    private static long[] SelfStrides(Tensor view, int[] indexedDims, AdvancedIndexResult result)
    {
        var strides = new long[result.Shape.Length];
        int r = 0;
        for (int d = 0; d < view.Dim; d++)
        {
            if (indexedDims.Contains(d)) continue;
            if (r == result.IndexStart) r += result.IndexRank;
            strides[r++] = view.strides[d];
        }
        return strides;
    }

    /// <summary>An index tensor's strides over the result: its own in the broadcast index dims (0 where it broadcasts), 0 elsewhere.</summary>
    private static long[] IndexStrides(Tensor index, AdvancedIndexResult result)
    {
        var strides = new long[result.Shape.Length];
        int first = result.IndexStart + result.IndexRank - index.Dim;
        for (int j = 0; j < index.Dim; j++)
            strides[first + j] = index.shape[j] == 1 ? 0 : index.strides[j];
        return strides;
    }

    /// <summary>The offset in self of element <paramref name="i"/> of a row that starts at <paramref name="offsets"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long SelfOffset(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long i)
    {
        long offset = offsets[1] + i * strides[1];
        for (int k = 0; k < indices.Length; k++)
            offset += indices[k].Ref<long>(offsets[2 + k] + i * strides[2 + k]) * dimStrides[k];
        return offset;
    }

    /// <summary>Whether every index stays the same along a row (the row is then a strided run of self).</summary>
    private static bool IndicesConstant(ReadOnlySpan<long> strides)
    {
        foreach (var s in strides[2..])
        {
            if (s != 0) return false;
        }
        return true;
    }

    private readonly struct GatherAction(AdvancedIndex plan, Tensor result) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged => RowLoop.Run(plan.Shape, plan.Strides(result.strides), new GatherRows<T>(plan, result));
    }

    private readonly struct GatherRows<T>(AdvancedIndex plan, Tensor result) : IRowKernel where T : unmanaged
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T r = ref result.Ref<T>(offsets[0]);
            long rs = strides[0];
            if (IndicesConstant(strides))
            {
                StridedCopy.Copy(ref r, rs, ref plan.self.Ref<T>(plan.SelfOffset(offsets, strides, 0)), strides[1], n);
            }
            else if (plan.indices.Length == 1)
            {
                // One index tensor (t[idx], t[:, idx], t[mask]): no loop over indices per element.
                ref T s = ref plan.self.Ref<T>(offsets[1]);
                ref long ix = ref plan.indices[0].Ref<long>(offsets[2]);
                long ss = strides[1], xs = strides[2], ds = plan.dimStrides[0];
                for (long i = 0; i < n; i++)
                    Unsafe.Add(ref r, (nint)(i * rs)) = Unsafe.Add(ref s, (nint)(i * ss + Unsafe.Add(ref ix, (nint)(i * xs)) * ds));
            }
            else
            {
                for (long i = 0; i < n; i++)
                    Unsafe.Add(ref r, (nint)(i * rs)) = plan.self.Ref<T>(plan.SelfOffset(offsets, strides, i));
            }
        }
    }

    private readonly struct AssignAction(AdvancedIndex plan, Tensor values, long[] valueStrides) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged => RowLoop.Run(plan.Shape, plan.Strides(valueStrides), new PutRows<T, AssignOp<T>>(plan, values, default));
    }

    private readonly struct AccumulateAction(AdvancedIndex plan, Tensor values, long[] valueStrides) : IElementAction
    {
        public void Invoke<T, E>() where T : unmanaged where E : IElementIO<T> =>
            RowLoop.Run(plan.Shape, plan.Strides(valueStrides), new PutRows<T, Combine<T, E, SumOp>>(plan, values, new(new SumOp())), long.MaxValue);
    }

    private readonly struct PutRows<T, TOp>(AdvancedIndex plan, Tensor values, TOp op) : IRowKernel
        where T : unmanaged where TOp : struct, IScatterOp<T>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T v = ref values.Ref<T>(offsets[0]);
            long vs = strides[0];
            var apply = op;
            if (IndicesConstant(strides))
            {
                // The row is a strided run of self (t[idx] = rows): a dense run takes the op's vector form.
                ref T run = ref plan.self.Ref<T>(plan.SelfOffset(offsets, strides, 0));
                long rs = strides[1];
                if (vs == 1 && rs == 1 && apply.TryApplyRun(MemoryMarshal.CreateSpan(ref run, (int)n), MemoryMarshal.CreateReadOnlySpan(ref v, (int)n)))
                    return;
                for (long i = 0; i < n; i++)
                    apply.Apply(ref Unsafe.Add(ref run, (nint)(i * rs)), Unsafe.Add(ref v, (nint)(i * vs)));
            }
            else if (plan.indices.Length == 1)
            {
                ref T s = ref plan.self.Ref<T>(offsets[1]);
                ref long ix = ref plan.indices[0].Ref<long>(offsets[2]);
                long ss = strides[1], xs = strides[2], ds = plan.dimStrides[0];
                for (long i = 0; i < n; i++)
                    apply.Apply(ref Unsafe.Add(ref s, (nint)(i * ss + Unsafe.Add(ref ix, (nint)(i * xs)) * ds)), Unsafe.Add(ref v, (nint)(i * vs)));
            }
            else
            {
                for (long i = 0; i < n; i++)
                    apply.Apply(ref plan.self.Ref<T>(plan.SelfOffset(offsets, strides, i)), Unsafe.Add(ref v, (nint)(i * vs)));
            }
        }
    }
}
