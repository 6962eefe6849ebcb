namespace Kiln.IR;

/// <summary>
/// OpInfo samples of the reduction family: 0-d, empty, vector, matrix and 3-d inputs in every layout,
/// reduced over several dim sets (negative dims included) with and without keepdim; the first dtype of
/// each op gets the full set, the others a short one.
/// </summary>
public static class ReductionSamples
{
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    /// <summary>A shape, its layout, the dims reduced (empty: all) and keepdim, for ops that take a list of dims.</summary>
    private static readonly (long[] Shape, SampleLayout Layout, long[] Dims, bool KeepDim)[] FullDimLists =
    [
        ([], C, [], false),
        ([], C, [0], true),
        ([], C, [-1], false),
        ([7], C, [], false),
        ([7], C, [0], true),
        ([3, 4], C, [1], false),
        ([3, 4], C, [0], true),
        ([3, 4], C, [-1], false),
        ([3, 4], C, [0, 1], false),
        ([3, 4], C, [], true),
        ([4, 3], T, [0], false),
        ([4, 3], T, [1], true),
        ([4, 3], T, [], false),
        ([2, 3, 5], S, [2], false),
        ([2, 3, 5], S, [0, 2], false),
        ([2, 3, 5], S, [-1, -3], true),
        ([2, 3, 5], S, [1], true),
        ([3, 4], E, [0], false),
        ([3, 4], E, [1], true),
        ([2, 3, 4], C, [1, 2], false),
        ([2, 3, 4], C, [2, 0], true),
        ([37, 129], C, [0], false),
        ([37, 129], C, [1], false),
        ([40, 70], T, [0], false),
        ([3000], C, [], false),
    ];

    /// <summary>Reductions over empty tensors: only ops with an identity value (sum, prod, mean ...) take these.</summary>
    private static readonly (long[] Shape, SampleLayout Layout, long[] Dims, bool KeepDim)[] EmptyReduced =
    [
        ([0], C, [], false),
        ([2, 0, 3], C, [1], false),
        ([2, 0, 3], C, [0, 1], true),
        ([2, 0, 3], C, [], false),
    ];

    /// <summary>Empty tensors reduced over non-empty dims (the result is empty): every op takes these.</summary>
    private static readonly (long[] Shape, SampleLayout Layout, long[] Dims, bool KeepDim)[] EmptyKept =
    [
        ([2, 0, 3], C, [0], false),
        ([2, 0, 3], C, [2], true),
    ];

    private static readonly (long[] Shape, SampleLayout Layout, long[] Dims, bool KeepDim)[] ShortDimLists =
    [
        ([], C, [], false),
        ([3, 4], C, [1], false),
        ([4, 3], T, [0], true),
        ([2, 3, 5], S, [0, 2], false),
        ([3, 4], E, [0], false),
    ];

    /// <summary>
    /// Samples of an op with attributes <c>dim</c> (a list) and <c>keepdim</c>. <paramref name="includeAllDims"/>
    /// adds the samples whose dim list is empty (meaning every dim); <paramref name="allowEmpty"/> adds
    /// reductions over empty dims; <paramref name="extra"/> adds further attributes to every sample.
    /// </summary>
    public static IEnumerable<OpSample> DimLists(IReadOnlyList<DType> dtypes, bool includeAllDims = true, SampleDomain domain = SampleDomain.Any, bool allowEmpty = true, Attrs? extra = null, Tolerance? tolerance = null)
    {
        for (int i = 0; i < dtypes.Count; i++)
        {
            IEnumerable<(long[] Shape, SampleLayout Layout, long[] Dims, bool KeepDim)> cases = i == 0 ? FullDimLists.Concat(EmptyKept) : ShortDimLists;
            if (i == 0 && allowEmpty) cases = cases.Concat(EmptyReduced);
            foreach (var (shape, layout, dims, keepdim) in cases)
            {
                if (dims.Length == 0 && !includeAllDims) continue;
                var attrs = new Attrs { { "dim", dims }, { "keepdim", keepdim } };
                foreach (var (name, value) in extra ?? Attrs.Empty) attrs.Add(name, value);
                yield return new OpSample([new TensorSpec(dtypes[i], shape, layout, domain)], attrs, tolerance ?? LowPrecisionTolerance(dtypes[i]));
            }
        }
        // Values drawn with NaN and infinities, so special-value rules are checked too.
        if (domain != SampleDomain.Special && dtypes[0].IsFloatingPoint())
        {
            var attrs = new Attrs { { "dim", new long[] { 1 } }, { "keepdim", false } };
            foreach (var (name, value) in extra ?? Attrs.Empty) attrs.Add(name, value);
            yield return new OpSample([new TensorSpec(dtypes[0], [6, 5], C, SampleDomain.Special)], attrs);
        }
    }

    /// <summary>A shape, its layout, the single dim reduced (null: all dims, flattened) and keepdim.</summary>
    private static readonly (long[] Shape, SampleLayout Layout, long? Dim, bool KeepDim)[] FullSingleDims =
    [
        ([], C, null, false),
        ([], C, 0, true),
        ([], C, -1, false),
        ([7], C, 0, false),
        ([7], C, null, true),
        ([3, 4], C, 1, false),
        ([3, 4], C, 0, true),
        ([3, 4], C, null, false),
        ([4, 3], T, 0, false),
        ([4, 3], T, 1, true),
        ([4, 3], T, null, false),
        ([2, 3, 5], S, 2, false),
        ([2, 3, 5], S, -3, true),
        ([2, 3, 5], S, 1, false),
        ([3, 4], E, 0, false),
        ([3, 4], E, 1, true),
        ([2, 3, 4], C, 1, false),
        ([2, 0, 3], C, 0, false),
        ([2, 0, 3], C, 2, true),
        ([37, 129], C, 0, false),
        ([37, 129], C, 1, false),
        ([40, 70], T, 0, false),
    ];

    private static readonly (long[] Shape, SampleLayout Layout, long? Dim, bool KeepDim)[] EmptySingleDims =
    [
        ([0], C, null, false),
        ([2, 0, 3], C, 1, false),
        ([2, 0, 3], C, null, false),
    ];

    private static readonly (long[] Shape, SampleLayout Layout, long? Dim, bool KeepDim)[] ShortSingleDims =
    [
        ([], C, 0, false),
        ([3, 4], C, 1, false),
        ([4, 3], T, 0, true),
        ([2, 3, 5], S, 2, false),
        ([3, 4], E, 0, false),
    ];

    /// <summary>
    /// Samples of an op with an optional single <c>dim</c> and <c>keepdim</c> (prod, argmax, all, max).
    /// <paramref name="includeAll"/> adds samples without a dim (the op reduces every dim; they carry no
    /// attributes, except keepdim where <paramref name="keepdimWithoutDim"/> says PyTorch accepts it, as argmax does).
    /// </summary>
    public static IEnumerable<OpSample> SingleDim(IReadOnlyList<DType> dtypes, bool includeAll, SampleDomain domain, bool allowEmpty, bool keepdimWithoutDim = false, Tolerance? tolerance = null)
    {
        for (int i = 0; i < dtypes.Count; i++)
        {
            IEnumerable<(long[] Shape, SampleLayout Layout, long? Dim, bool KeepDim)> cases = i == 0 ? FullSingleDims : ShortSingleDims;
            if (i == 0 && allowEmpty) cases = cases.Concat(EmptySingleDims);
            foreach (var (shape, layout, dim, keepdim) in cases)
            {
                if (dim is null && (!includeAll || (keepdim && !keepdimWithoutDim))) continue;
                var attrs = dim is { } d ? new Attrs { { "dim", d }, { "keepdim", keepdim } }
                    : keepdim ? new Attrs { { "keepdim", true } } : new Attrs();
                yield return new OpSample([new TensorSpec(dtypes[i], shape, layout, domain)], attrs, tolerance ?? LowPrecisionTolerance(dtypes[i]));
            }
        }
    }

    /// <summary>A shape, its layout and the dim an op runs along.</summary>
    private static readonly (long[] Shape, SampleLayout Layout, long Dim)[] FullAlongDim =
    [
        ([], C, 0),
        ([], C, -1),
        ([7], C, 0),
        ([3, 4], C, 1),
        ([3, 4], C, 0),
        ([4, 3], T, 0),
        ([4, 3], T, 1),
        ([2, 3, 5], S, -1),
        ([2, 3, 5], S, 0),
        ([2, 3, 5], S, 1),
        ([3, 4], E, 0),
        ([3, 4], E, 1),
        ([0], C, 0),
        ([2, 0, 3], C, 1),
        ([2, 0, 3], C, 2),
        ([6, 40], C, 1),
        ([40, 6], T, 0),
    ];

    private static readonly (long[] Shape, SampleLayout Layout, long Dim)[] ShortAlongDim =
    [
        ([], C, 0),
        ([3, 4], C, 1),
        ([4, 3], T, 0),
        ([2, 3, 5], S, 1),
    ];

    /// <summary>Samples of an op that runs along one dim and keeps the shape (softmax, cumsum ...).</summary>
    public static IEnumerable<OpSample> AlongDim(IReadOnlyList<DType> dtypes)
    {
        for (int i = 0; i < dtypes.Count; i++)
        {
            foreach (var (shape, layout, dim) in i == 0 ? FullAlongDim : ShortAlongDim)
                yield return new OpSample([new TensorSpec(dtypes[i], shape, layout)], new Attrs { { "dim", dim } }, LowPrecisionTolerance(dtypes[i]));
        }
        if (dtypes[0].IsFloatingPoint())
        {
            yield return new OpSample([new TensorSpec(dtypes[0], [5, 6], C, SampleDomain.Special)], new Attrs { { "dim", 1L } });
            yield return new OpSample([new TensorSpec(dtypes[0], [5, 6], T, SampleDomain.Special)], new Attrs { { "dim", 0L } });
        }
    }

    /// <summary>Samples of the vector norm: every kind of order on float32, the 2-norm on the other float dtypes.</summary>
    public static IEnumerable<OpSample> Norm()
    {
        double[] orders = [2, 1, double.PositiveInfinity, double.NegativeInfinity, 0, 3, 0.5, -1, -2.5];
        foreach (var p in orders)
        {
            bool identity = !double.IsInfinity(p);
            var extra = new Attrs { { "p", p } };
            foreach (var sample in DimLists([DType.Float32], includeAllDims: true, SampleDomain.Any, allowEmpty: identity, extra))
            {
                // One order gets the whole shape set; the others a handful of shapes.
                if (p == 2 || sample.Inputs[0].Shape.Length == 2)
                    yield return sample;
            }
        }
        foreach (var d in new[] { DType.Float64, DType.Float16, DType.BFloat16 })
        {
            foreach (var sample in DimLists([d], includeAllDims: true, SampleDomain.Any, allowEmpty: false, new Attrs { { "p", 2.0 } }))
            {
                if (sample.Inputs[0].Shape.Length == 2) yield return sample;
            }
        }
    }

    /// <summary>Samples of var and std: corrections 1 (default), 0, 2 and one at least the element count (giving inf or NaN).</summary>
    public static IEnumerable<OpSample> Spread()
    {
        foreach (var sample in DimLists([DType.Float32, DType.Float64, DType.Float16, DType.BFloat16], extra: new Attrs { { "correction", 1L } }))
            yield return sample;
        foreach (var correction in new long[] { 0, 2, 5 })
        {
            var extra = new Attrs { { "correction", correction } };
            foreach (var sample in DimLists([DType.Float32], extra: extra))
            {
                if (sample.Inputs[0].Shape.Length <= 2) yield return sample;
            }
        }
    }

    /// <summary>
    /// Float64 samples of shape [4, 5] with continuous values (no NaN, no expanded layout and so no built-in
    /// ties), one per attribute set, layouts cycling contiguous / transposed / strided. Ops whose other samples
    /// suit finite differences badly list these first: the gradient checks take an op's first small float samples.
    /// </summary>
    public static IEnumerable<OpSample> ForGradients(params Attrs[] attrSets)
    {
        SampleLayout[] layouts = [C, T, S];
        for (int i = 0; i < attrSets.Length; i++)
            yield return new OpSample([new TensorSpec(DType.Float64, [4, 5], layouts[i % layouts.Length])], attrSets[i]);
    }

    /// <summary>Float16 and bfloat16 results are rounded once more than PyTorch's in some ops; allow a little more.</summary>
    private static Tolerance? LowPrecisionTolerance(DType dtype) => dtype switch
    {
        DType.Float16 => new Tolerance(2e-3, 1e-3),
        DType.BFloat16 => new Tolerance(1.6e-2, 1e-2),
        _ => null,
    };
}
