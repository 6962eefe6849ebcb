namespace Kiln.IR;

/// <summary>Standard OpInfo sample sets: each op family builds its samples from these.</summary>
public static class SampleSets
{
    /// <summary>Shapes every unary op is checked on for its main dtype: 0-d, empty, vector, matrix, views.</summary>
    private static readonly (long[] Shape, SampleLayout Layout)[] FullUnaryShapes =
    [
        ([], SampleLayout.Contiguous),
        ([0], SampleLayout.Contiguous),
        ([7], SampleLayout.Contiguous),
        ([3, 4], SampleLayout.Contiguous),
        ([4, 3], SampleLayout.Transposed),
        ([2, 3, 5], SampleLayout.Strided),
        ([3, 4], SampleLayout.Expanded),
        ([2, 0, 3], SampleLayout.Contiguous),
    ];

    private static readonly (long[] Shape, SampleLayout Layout)[] ShortUnaryShapes =
    [
        ([], SampleLayout.Contiguous),
        ([3, 4], SampleLayout.Contiguous),
        ([4, 3], SampleLayout.Transposed),
    ];

    /// <summary>
    /// Samples of a unary op: the full shape set for the first dtype in <paramref name="dtypes"/>, a short
    /// set for the others.
    /// </summary>
    public static IEnumerable<OpSample> Unary(IReadOnlyList<DType> dtypes, SampleDomain domain = SampleDomain.Any, Attrs? attrs = null)
    {
        for (int i = 0; i < dtypes.Count; i++)
        {
            foreach (var (shape, layout) in i == 0 ? FullUnaryShapes : ShortUnaryShapes)
                yield return new OpSample([new TensorSpec(dtypes[i], shape, layout, domain)], attrs ?? Attrs.Empty);
        }
    }

    private static readonly (long[] A, SampleLayout LA, long[] B, SampleLayout LB)[] FullBinaryShapes =
    [
        ([3, 4], SampleLayout.Contiguous, [3, 4], SampleLayout.Contiguous),
        ([3, 4], SampleLayout.Contiguous, [4], SampleLayout.Contiguous),
        ([3, 1], SampleLayout.Contiguous, [1, 4], SampleLayout.Contiguous),
        ([], SampleLayout.Contiguous, [5], SampleLayout.Contiguous),
        ([2, 3], SampleLayout.Contiguous, [], SampleLayout.Contiguous),
        ([], SampleLayout.Contiguous, [], SampleLayout.Contiguous),
        ([4, 3], SampleLayout.Transposed, [4, 3], SampleLayout.Strided),
        ([2, 3, 4], SampleLayout.Strided, [3, 1], SampleLayout.Contiguous),
        ([3, 4], SampleLayout.Expanded, [3, 4], SampleLayout.Transposed),
        ([0, 3], SampleLayout.Contiguous, [3], SampleLayout.Contiguous),
        ([2, 0, 3], SampleLayout.Contiguous, [1, 3], SampleLayout.Contiguous),
    ];

    /// <summary>Mixed-dtype pairs that exercise promotion (each pair checked on a broadcast shape pair).</summary>
    private static readonly (DType A, DType B)[] PromotionPairs =
    [
        (DType.Float32, DType.Int64), (DType.Int32, DType.Float64), (DType.UInt8, DType.Int8),
        (DType.Bool, DType.Float16), (DType.BFloat16, DType.Float16), (DType.Int16, DType.Int32),
        (DType.Float32, DType.Float64), (DType.Bool, DType.Int32),
    ];

    /// <summary>
    /// Samples of a binary op: every shape pair (broadcasting, views, empty, 0-d) for the first dtype,
    /// same-dtype pairs for the others, and mixed-dtype pairs among <paramref name="dtypes"/> for promotion.
    /// </summary>
    public static IEnumerable<OpSample> Binary(IReadOnlyList<DType> dtypes, SampleDomain domainA = SampleDomain.Any, SampleDomain domainB = SampleDomain.Any, Attrs? attrs = null)
    {
        attrs ??= Attrs.Empty;
        for (int i = 0; i < dtypes.Count; i++)
        {
            var shapes = i == 0 ? FullBinaryShapes : FullBinaryShapes.AsSpan(0, 3).ToArray();
            foreach (var (a, la, b, lb) in shapes)
                yield return new OpSample([new TensorSpec(dtypes[i], a, la, domainA), new TensorSpec(dtypes[i], b, lb, domainB)], attrs);
        }
        foreach (var (da, db) in PromotionPairs)
        {
            if (dtypes.Contains(da) && dtypes.Contains(db))
                yield return new OpSample([new TensorSpec(da, [2, 3], SampleLayout.Contiguous, domainA), new TensorSpec(db, [3], SampleLayout.Contiguous, domainB)], attrs);
        }
        // A 0-d operand of a higher category changes the result dtype; a 0-d one of the same category does not.
        if (dtypes.Contains(DType.Int32) && dtypes.Contains(DType.Float64))
            yield return new OpSample([new TensorSpec(DType.Int32, [4], SampleLayout.Contiguous, domainA), new TensorSpec(DType.Float64, [], SampleLayout.Contiguous, domainB)], attrs);
        if (dtypes.Contains(DType.Float16) && dtypes.Contains(DType.Float64))
            yield return new OpSample([new TensorSpec(DType.Float16, [4], SampleLayout.Contiguous, domainA), new TensorSpec(DType.Float64, [], SampleLayout.Contiguous, domainB)], attrs);
    }
}
