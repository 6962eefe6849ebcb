namespace Kiln.IR.Ops;

/// <summary>
/// One integer index of an advanced index once masks are expanded (a k-dim mask stands for the k columns of
/// its nonzero positions).
/// </summary>
/// <param name="Tensor">Which of the op's index tensors it comes from.</param>
/// <param name="Dim">The dim of self (after the dims a 0-d mask inserts) that it indexes.</param>
/// <param name="Column">-1 for an integer index tensor; for a mask, which of its dims this is (0 for a 0-d mask).</param>
public readonly record struct IndexEntry(int Tensor, int Dim, int Column)
{
    /// <summary>Whether this entry comes from a bool or uint8 mask.</summary>
    public bool IsMask => Column >= 0;
}

/// <summary>Where the broadcast index shape sits in the result of an advanced index.</summary>
/// <param name="Shape">The result shape.</param>
/// <param name="IndexStart">The first result dim of the broadcast index shape.</param>
/// <param name="IndexRank">How many result dims the broadcast index shape has.</param>
public sealed record AdvancedIndexResult(long[] Shape, int IndexStart, int IndexRank);

/// <summary>
/// PyTorch's advanced indexing (<c>aten::index</c>, <c>aten::index_put</c>): a list of index tensors, each
/// applied at a dim of self. Integer (int64) tensors pick positions, negative ones counting from the end;
/// bool or uint8 masks cover as many dims as they have and pick the positions where they are set. The index
/// shapes broadcast together; when the indexed dims are adjacent the broadcast shape replaces them in place,
/// otherwise it comes first, followed by the dims not indexed.
/// </summary>
public static class AdvancedIndexRules
{
    /// <summary>The dtypes an index tensor may have.</summary>
    public static IReadOnlyList<DType> IndexTensorDTypes { get; } = [DType.Int64, DType.Bool, DType.UInt8];

    /// <summary>
    /// Places the index tensors (the call's inputs from <paramref name="tensors"/> on) on the dims of self. <paramref name="dims"/> gives the first dim each tensor
    /// indexes (null: one after the other from dim 0). A 0-d mask inserts a dim of size 1 into self (indexed
    /// by position 0 when set, by nothing when not), as Python's <c>t[True]</c> does.
    /// </summary>
    /// <returns>Self's shape with those inserted dims, and the integer indices in increasing dim order.</returns>
    /// <exception cref="ArgumentException">A dtype is not an index dtype, the dims are inconsistent, there are too many indices, or a mask's shape differs from the dims it covers.</exception>
    public static (long[] Self, IndexEntry[] Entries) Place(IndexingCall call, long[] self, IReadOnlyList<TensorType> tensors, long[]? dims)
    {
        int inputCount = call.Inputs.Count;
        if (tensors.Count == 0)
            throw new ArgumentException($"{call}: needs at least one index tensor ({inputCount} input(s) given)");
        if (dims is not null && dims.Length != tensors.Count)
            throw new ArgumentException($"{call}: 'dims' lists {dims.Length} dim(s) [{string.Join(", ", dims)}] for {tensors.Count} index tensor(s) ({inputCount} inputs)");
        var adjusted = new List<long>(self);
        var entries = new List<IndexEntry>();
        long next = 0;
        int inserted = 0;
        for (int k = 0; k < tensors.Count; k++)
        {
            var t = tensors[k];
            if (!IndexTensorDTypes.Contains(t.DType))
                throw new ArgumentException($"{call}: tensors used as indices must be int64, bool or uint8, but index tensor {k} has dtype {t.DType.Name()} ({inputCount} inputs)");
            bool mask = t.DType != DType.Int64;
            int covers = mask ? t.Rank : 1;
            long start = dims is null ? next : dims[k];
            if (start < next)
                throw new ArgumentException($"{call}: 'dims' [{string.Join(", ", dims!)}] must increase and leave room for each index tensor (a mask covers as many dims as it has), but index tensor {k} starts at dim {start}");
            if (start + covers > self.Length)
                throw new ArgumentException($"{call}: too many indices for a tensor of rank {self.Length}: index tensor {k} would index dims {start}..{start + covers - 1} (placed by 'dims')");
            if (mask && !t.Shape.AsSpan().SequenceEqual(self.AsSpan((int)start, covers)))
                throw new ArgumentException($"{call}: the shape {Shapes.Format(t.Shape)} of mask {k} does not match the shape {Shapes.Format(self.AsSpan((int)start, covers))} of the dims {start}..{start + covers - 1} of self it indexes (placed by 'dims')");
            int at = (int)start + inserted;
            if (mask && covers == 0)
            {
                adjusted.Insert(at, 1);
                entries.Add(new IndexEntry(k, at, 0));
                inserted++;
            }
            for (int j = 0; j < covers; j++)
                entries.Add(new IndexEntry(k, at + j, mask ? j : -1));
            next = start + covers;
        }
        return (adjusted.ToArray(), entries.ToArray());
    }

    /// <summary>
    /// The result of indexing a tensor of shape <paramref name="self"/> with integer indices of shapes
    /// <paramref name="shapes"/> at the increasing dims <paramref name="dims"/>. A size of
    /// <see cref="TensorType.DataDependent"/> in an index shape broadcasts with anything.
    /// </summary>
    /// <exception cref="ArgumentException">The index shapes do not broadcast together.</exception>
    public static AdvancedIndexResult ResultShape(IndexingCall call, long[] self, IReadOnlyList<int> dims, IReadOnlyList<long[]> shapes)
    {
        var broadcast = BroadcastIndexShapes(call, shapes);
        bool adjacent = dims[^1] - dims[0] == dims.Count - 1;
        int start = adjacent ? dims[0] : 0;
        var result = new List<long>();
        for (int d = 0; d < self.Length; d++)
        {
            if (d == start && adjacent) result.AddRange(broadcast);
            if (!dims.Contains(d)) result.Add(self[d]);
        }
        if (!adjacent) result.InsertRange(0, broadcast);
        return new AdvancedIndexResult(result.ToArray(), start, broadcast.Length);
    }

    /// <summary>
    /// Checks that <c>index_put</c>'s values broadcast to the indexing result (without extra leading dims,
    /// as in PyTorch); data-dependent result sizes accept any size.
    /// </summary>
    /// <exception cref="ArgumentException">The values do not broadcast.</exception>
    public static void CheckValues(IndexingCall call, long[] values, long[] result)
    {
        bool fits = values.Length <= result.Length;
        for (int i = 1; fits && i <= values.Length; i++)
            fits = values[^i] == result[^i] || values[^i] == 1 || result[^i] == TensorType.DataDependent;
        if (!fits)
            throw new ArgumentException($"{call}: values of shape {Shapes.Format(values)} cannot be broadcast to the indexing result of shape {Shapes.Format(result)} (of the index tensors placed by 'dims')");
    }

    /// <summary>The type of <c>index(self, *indices)</c> (mask selections are data-dependent sizes).</summary>
    public static TensorType IndexType(IndexingCall call, TensorType self, IReadOnlyList<TensorType> tensors, long[]? dims)
    {
        var (shape, entries) = Place(call, self.Shape, tensors, dims);
        var shapes = entries.Select(e => e.IsMask ? new[] { TensorType.DataDependent } : tensors[e.Tensor].Shape).ToArray();
        return new TensorType(self.DType, ResultShape(call, shape, entries.Select(e => e.Dim).ToArray(), shapes).Shape);
    }

    private static long[] BroadcastIndexShapes(IndexingCall call, IReadOnlyList<long[]> shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var result = new long[rank];
        Array.Fill(result, 1L);
        foreach (var shape in shapes)
        {
            for (int i = 1; i <= shape.Length; i++)
            {
                long a = result[^i], b = shape[^i];
                if (a == b || b == 1) continue;
                if (a == 1 || a == TensorType.DataDependent) result[^i] = b;
                else if (b != TensorType.DataDependent)
                    throw new ArgumentException($"{call}: shape mismatch: indexing tensors could not be broadcast together with shapes {string.Join(", ", shapes.Select(s => Shapes.Format(s)))}");
            }
        }
        return result;
    }
}
