namespace Kiln.Kernels.Reductions;

/// <summary>
/// How a reduction walks its input: as if permuted to [kept dims..., reduced dims...] (no copy is made).
/// Kept dims stay in their order, so output position i is row-major position i of the result; both
/// groups are coalesced where the strides allow, so reducing a contiguous inner block is one flat row.
/// </summary>
internal sealed class ReduceLayout
{
    private ReduceLayout(long[] kept, long[] keptStrides, long[] outStrides, long[] inner, long[] innerStrides)
    {
        Kept = kept;
        KeptStrides = keptStrides;
        OutStrides = outStrides;
        Inner = inner;
        InnerStrides = innerStrides;
        InnerCount = Shapes.Numel(inner);
        OutCount = Shapes.Numel(kept);
    }

    /// <summary>The sizes of the kept dims, in order and coalesced (rank ≥ 1; [1] for a full reduction).</summary>
    internal long[] Kept { get; }

    /// <summary>The input's strides along the kept dims.</summary>
    internal long[] KeptStrides { get; }

    /// <summary>The (contiguous) output's strides along the kept dims.</summary>
    internal long[] OutStrides { get; }

    /// <summary>The sizes of the reduced dims after coalescing (rank ≥ 1; [1] when nothing is reduced).</summary>
    internal long[] Inner { get; }

    /// <summary>The input's strides along <see cref="Inner"/>.</summary>
    internal long[] InnerStrides { get; }

    /// <summary>How many input elements each output reduces (N).</summary>
    internal long InnerCount { get; }

    /// <summary>How many outputs there are.</summary>
    internal long OutCount { get; }

    /// <summary>
    /// The number of outputs a column reduction handles together: the innermost kept dim when it is
    /// contiguous in the input and wide enough to vectorise across (reducing the outer dim of a matrix
    /// then adds whole rows instead of walking strided columns); 0 when the per-output walk is better.
    /// </summary>
    internal long ColumnWidth => KeptStrides[^1] == 1 && Kept[^1] >= MinColumnWidth && InnerCount >= 2 ? Kept[^1] : 0;

    private const long MinColumnWidth = 8;

    /// <summary>
    /// The layout of reducing <paramref name="input"/> over the dims set in <paramref name="mask"/>.
    /// With <paramref name="rowMajorInner"/> the reduced dims keep their order, so the position passed to
    /// a fold is the row-major index within the reduced dims (argmax needs it); otherwise they are
    /// ordered by stride, largest first, which makes the innermost walk the densest one.
    /// </summary>
    internal static ReduceLayout Create(Tensor input, ReadOnlySpan<bool> mask, bool rowMajorInner)
    {
        var kept = new List<long>();
        var keptStrides = new List<long>();
        var reduced = new List<(long Size, long Stride)>();
        for (int d = 0; d < input.Dim; d++)
        {
            if (mask[d]) reduced.Add((input.shape[d], input.strides[d]));
            else
            {
                kept.Add(input.shape[d]);
                keptStrides.Add(input.strides[d]);
            }
        }
        if (!rowMajorInner)
            reduced.Sort((a, b) => Math.Abs(b.Stride).CompareTo(Math.Abs(a.Stride)));
        var (inner, innerStrides) = RowLoop.Coalesce([.. reduced.Select(r => r.Size)], [[.. reduced.Select(r => r.Stride)]]);
        // Kept dims that are adjacent in both the input and the (contiguous) output merge, so a column
        // reduction sees the longest contiguous run of outputs.
        long[] keptShape = [.. kept];
        var (outer, outerStrides) = RowLoop.Coalesce(keptShape, [[.. keptStrides], Shapes.ContiguousStrides(keptShape)]);
        return new ReduceLayout(outer, outerStrides[0], outerStrides[1], inner, innerStrides[0]);
    }
}
