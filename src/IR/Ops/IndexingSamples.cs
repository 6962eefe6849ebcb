namespace Kiln.IR.Ops;

/// <summary>
/// OpInfo samples of the indexing ops: every dtype PyTorch takes for the data input, views, 0-d and empty
/// tensors, and index tensors drawn in range (<see cref="SampleDomain.Index"/>). Where repeated indices
/// would make PyTorch's result unspecified (scatter and index_put without accumulation), the samples keep
/// the indices unique (one index along the scattered dim) or make every repeated write carry the same value
/// (a 0-d or broadcast source, or one expanded along the scattered dim); repeated indices are sampled freely
/// where they accumulate.
/// </summary>
internal static class IndexingSamples
{
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;
    private const DType F = DType.Float32;

    private static readonly DType[] OtherDTypes = [.. DTypes.All.Where(d => d != F)];

    private static readonly Tolerance LowPrecisionSums = new(1e-2, 1e-2);

    private static TensorSpec Data(long[] shape, SampleLayout layout = C, DType dtype = F, SampleDomain domain = SampleDomain.Any) => new(dtype, shape, layout, domain);

    private static TensorSpec Idx(long[] shape, long high, SampleLayout layout = C, DType dtype = DType.Int64) => new(dtype, shape, layout, SampleDomain.Index, high);

    private static TensorSpec SignedIdx(long[] shape, long high, SampleLayout layout = C) => new(DType.Int64, shape, layout, SampleDomain.SignedIndex, high);

    private static TensorSpec Mask(long[] shape, SampleLayout layout = C, DType dtype = DType.Bool) =>
        new(dtype, shape, layout, dtype == DType.Bool ? SampleDomain.Any : SampleDomain.Probability);

    private static Attrs DimAttrs(long dim, params (string Name, object? Value)[] extra)
    {
        var attrs = new Attrs { { "dim", dim } };
        foreach (var (name, value) in extra) attrs.Add(name, value);
        return attrs;
    }

    /// <summary>A fill value every dtype holds exactly: 2.5 for floats, 7 for integers, true for bool.</summary>
    private static double FillValue(DType dtype) => dtype.IsFloatingPoint() ? 2.5 : dtype == DType.Bool ? 1 : 7;

    /// <summary>Accumulations in float16/bfloat16 round after every step; allow for another order of the steps.</summary>
    private static Tolerance? SumTolerance(DType dtype) => dtype is DType.Float16 or DType.BFloat16 ? LowPrecisionSums : null;

    public static IEnumerable<OpSample> Gather()
    {
        (TensorSpec Self, long Dim, TensorSpec Index)[] cases =
        [
            (Data([3, 4]), 1, Idx([3, 5], 4)),
            (Data([3, 4]), 0, Idx([2, 4], 3)),
            (Data([3, 4]), -1, Idx([2, 2], 4)),
            (Data([4, 3], T), 0, Idx([5, 3], 4)),
            (Data([4, 3], T), 1, Idx([4, 3], 3, T)),
            (Data([2, 3, 5], S), 2, Idx([2, 3, 4], 5)),
            (Data([2, 3, 5], S), 1, Idx([2, 4, 5], 3, S)),
            (Data([3, 4], E), 1, Idx([3, 4], 4, E)),
            (Data([]), 0, Idx([], 1)),
            (Data([]), -1, Idx([3], 1)),
            (Data([5]), 0, Idx([], 5)),
            (Data([3, 4]), 1, Idx([0, 4], 4)),
            (Data([2, 0, 3]), 1, Idx([2, 0, 3], 1)),
            (Data([2, 0, 3]), 2, Idx([2, 0, 2], 3)),
            (Data([16, 40]), 1, Idx([16, 50], 40)),
            (Data([40, 16], T), 0, Idx([30, 16], 40)),
        ];
        foreach (var (self, dim, index) in cases)
            yield return new OpSample([self, index], DimAttrs(dim));
        foreach (var d in OtherDTypes)
        {
            yield return new OpSample([Data([3, 4], C, d), Idx([3, 5], 4)], DimAttrs(1));
            yield return new OpSample([Data([4, 3], T, d), Idx([5, 3], 4)], DimAttrs(0));
        }
        yield return new OpSample([Data([3, 4]), Idx([3, 4], 4, C, DType.Int32)], DimAttrs(1));
        yield return new OpSample([Data([3, 4]), Idx([3], 4)], DimAttrs(1));
        yield return new OpSample([Data([3, 4]), Idx([4, 2], 4)], DimAttrs(1));
    }

    public static IEnumerable<OpSample> Scatter()
    {
        (TensorSpec Self, long Dim, TensorSpec Index, TensorSpec Src)[] cases =
        [
            (Data([3, 5]), 1, Idx([3, 1], 5), Data([3, 2])),
            (Data([4, 3]), 0, Idx([3, 3], 4), Data([3, 3], E)),
            (Data([4, 3], T), 0, Idx([1, 3], 4), Data([2, 3], T)),
            (Data([2, 3, 4], S), -1, Idx([2, 3, 1], 4), Data([2, 3, 4], S)),
            (Data([2, 3, 4]), 1, Idx([2, 1, 3], 3, S), Data([2, 2, 4])),
            (Data([]), 0, Idx([], 1), Data([])),
            (Data([3, 4]), 0, Idx([0, 4], 3), Data([0, 4])),
            (Data([2, 0, 3]), 2, Idx([2, 0, 1], 3), Data([2, 0, 1])),
        ];
        foreach (var (self, dim, index, src) in cases)
            yield return new OpSample([self, index, src], DimAttrs(dim));
        yield return new OpSample([Data([3, 5]), Idx([3, 4], 5)], DimAttrs(1, ("value", 2.5)));
        yield return new OpSample([Data([4, 3], T), Idx([4, 3], 4)], DimAttrs(0, ("value", -1.5)));
        yield return new OpSample([Data([]), Idx([], 1)], DimAttrs(0, ("value", 3.0)));
        foreach (var d in OtherDTypes)
        {
            yield return new OpSample([Data([3, 5], C, d), Idx([3, 1], 5), Data([3, 2], C, d)], DimAttrs(1));
            yield return new OpSample([Data([3, 5], C, d), Idx([3, 4], 5)], DimAttrs(1, ("value", FillValue(d))));
        }
        yield return new OpSample([Data([3, 5]), Idx([3, 1], 5), Data([3, 2], C, DType.Float64)], DimAttrs(1));
        yield return new OpSample([Data([3, 5]), Idx([3, 1], 5, C, DType.Int32), Data([3, 2])], DimAttrs(1));
        yield return new OpSample([Data([3, 5]), Idx([4, 1], 3), Data([4, 2])], DimAttrs(1));
    }

    public static IEnumerable<OpSample> ScatterAdd()
    {
        (TensorSpec Self, long Dim, TensorSpec Index, TensorSpec Src)[] cases =
        [
            (Data([3, 5]), 1, Idx([3, 6], 5), Data([3, 6])),
            (Data([3, 5]), 1, Idx([2, 4], 5), Data([3, 6])),
            (Data([4, 3], T), 0, Idx([6, 3], 4), Data([6, 3], T)),
            (Data([2, 3, 4], S), 1, Idx([2, 5, 4], 3), Data([2, 5, 4], E)),
            (Data([3, 4], E), 0, Idx([3, 4], 3, T), Data([3, 4])),
            (Data([]), 0, Idx([4], 1), Data([4])),
            (Data([3, 4]), 0, Idx([0, 4], 3), Data([0, 4])),
            (Data([20, 50]), 1, Idx([20, 200], 50), Data([20, 200])),
        ];
        foreach (var (self, dim, index, src) in cases)
            yield return new OpSample([self, index, src], DimAttrs(dim));
        foreach (var d in OtherDTypes)
            yield return new OpSample([Data([3, 5], C, d), Idx([3, 6], 5), Data([3, 6], C, d)], DimAttrs(1), SumTolerance(d));
        yield return new OpSample([Data([3, 5]), Idx([3, 6], 5), Data([3, 6], C, DType.Int64)], DimAttrs(1));
    }

    public static IEnumerable<OpSample> ScatterReduce()
    {
        foreach (var reduce in IndexingRules.ScatterReductions)
        {
            foreach (var includeSelf in new[] { true, false })
                yield return new OpSample([Data([3, 5]), Idx([3, 6], 5), Data([3, 6])], DimAttrs(1, ("reduce", reduce), ("include_self", includeSelf)));
            yield return new OpSample([Data([4, 3], T), Idx([6, 3], 4), Data([6, 3], S)], DimAttrs(0, ("reduce", reduce), ("include_self", false)));
            foreach (var d in OtherDTypes)
            {
                yield return new OpSample([Data([3, 5], C, d), Idx([3, 6], 5), Data([3, 6], C, d)], DimAttrs(1, ("reduce", reduce)), SumTolerance(d));
                if (d is DType.Int64 or DType.Float16)
                    yield return new OpSample([Data([3, 5], C, d), Idx([3, 6], 5), Data([3, 6], C, d)], DimAttrs(1, ("reduce", reduce), ("include_self", false)), SumTolerance(d));
            }
        }
        foreach (var reduce in new[] { "amax", "amin" })
            yield return new OpSample([Data([3, 5], C, F, SampleDomain.Special), Idx([3, 6], 5), Data([3, 6], C, F, SampleDomain.Special)], DimAttrs(1, ("reduce", reduce)));
        yield return new OpSample([Data([]), Idx([3], 1), Data([3])], DimAttrs(0, ("reduce", "mean")));
        yield return new OpSample([Data([3, 4]), Idx([0, 4], 3), Data([0, 4])], DimAttrs(0, ("reduce", "prod"), ("include_self", false)));
        yield return new OpSample([Data([3, 5]), Idx([3, 6], 5), Data([3, 6])], DimAttrs(1, ("reduce", "max")));
    }

    public static IEnumerable<OpSample> IndexSelect()
    {
        (TensorSpec Self, long Dim, TensorSpec Index)[] cases =
        [
            (Data([3, 4]), 0, Idx([5], 3)),
            (Data([3, 4]), 1, Idx([2], 4)),
            (Data([4, 3], T), 1, Idx([4], 3)),
            (Data([2, 3, 5], S), 2, Idx([7], 5)),
            (Data([2, 3, 5], S), -2, Idx([2], 3, S)),
            (Data([3, 4], E), 0, Idx([2], 3)),
            (Data([3, 4], E), 1, Idx([3], 4)),
            (Data([]), 0, Idx([], 1)),
            (Data([]), 0, Idx([1], 1)),
            (Data([3, 4]), 1, Idx([], 4)),
            (Data([3, 4]), 0, Idx([0], 3)),
            (Data([0, 3]), 1, Idx([2], 3)),
            (Data([2, 0]), 0, Idx([3], 2)),
            (Data([64, 33]), 0, Idx([50], 64)),
            (Data([33, 64], T), 0, Idx([20], 33)),
            (Data([3, 4]), 1, Idx([5], 4, C, DType.Int32)),
        ];
        foreach (var (self, dim, index) in cases)
            yield return new OpSample([self, index], DimAttrs(dim));
        foreach (var d in OtherDTypes)
        {
            yield return new OpSample([Data([3, 4], C, d), Idx([5], 4)], DimAttrs(1));
            yield return new OpSample([Data([4, 3], T, d), Idx([3], 4)], DimAttrs(0));
        }
        yield return new OpSample([Data([3, 4]), Idx([1, 2], 3)], DimAttrs(0));
        yield return new OpSample([Data([3, 4]), Idx([2], 3, C, DType.Int16)], DimAttrs(0));
    }

    public static IEnumerable<OpSample> IndexAdd()
    {
        (TensorSpec Self, long Dim, TensorSpec Index, TensorSpec Source, double Alpha)[] cases =
        [
            (Data([5, 3]), 0, Idx([4], 5), Data([4, 3]), 1),
            (Data([5, 3]), 0, Idx([6], 5), Data([6, 3]), 2.5),
            (Data([3, 5], T), 1, Idx([4], 5), Data([3, 4], S), 1),
            (Data([2, 3, 4], S), -1, Idx([6], 4), Data([2, 3, 6]), -1.5),
            (Data([2, 3, 4]), 1, Idx([3], 3), Data([2, 3, 4], T), 1),
            (Data([]), 0, Idx([], 1), Data([]), 1),
            (Data([]), 0, Idx([1], 1), Data([1]), 2),
            (Data([5, 3]), 0, Idx([0], 5), Data([0, 3]), 1),
            (Data([4, 3], E), 0, Idx([2], 4), Data([2, 3]), 1),
            (Data([5, 3]), 0, Idx([4], 5, C, DType.Int32), Data([4, 3]), 1),
        ];
        foreach (var (self, dim, index, source, alpha) in cases)
            yield return new OpSample([self, index, source], DimAttrs(dim, ("alpha", alpha)));
        foreach (var d in OtherDTypes)
        {
            double alpha = d.IsFloatingPoint() ? -1.5 : 2;
            yield return new OpSample([Data([5, 3], C, d), Idx([4], 5), Data([4, 3], C, d)], DimAttrs(0), SumTolerance(d));
            yield return new OpSample([Data([3, 5], T, d), Idx([6], 5), Data([3, 6], C, d)], DimAttrs(1, ("alpha", alpha)), SumTolerance(d));
        }
        yield return new OpSample([Data([5, 3]), Idx([4], 5), Data([4, 3], C, DType.Float64)], DimAttrs(0));
        yield return new OpSample([Data([5, 3]), Idx([3], 5), Data([4, 3])], DimAttrs(0));
    }

    public static IEnumerable<OpSample> Index()
    {
        static OpSample Sample(TensorSpec self, long[] dims, params TensorSpec[] indices) => new([self, .. indices], new Attrs { { "dims", dims } });
        yield return Sample(Data([4, 3]), [0], SignedIdx([5], 4));
        yield return Sample(Data([3, 5]), [1], SignedIdx([4], 5));
        yield return Sample(Data([4, 3], T), [0], SignedIdx([2, 3], 4));
        yield return Sample(Data([3, 4]), [0, 1], SignedIdx([2, 1], 3), SignedIdx([3], 4));
        yield return Sample(Data([3, 4, 5], S), [0, 2], SignedIdx([2], 3), SignedIdx([2], 5));
        yield return Sample(Data([3, 4, 5]), [1, 2], SignedIdx([2], 4), SignedIdx([1], 5, S));
        yield return Sample(Data([2, 3, 4], E), [1], SignedIdx([], 3));
        yield return Sample(Data([3, 4]), [0], SignedIdx([0], 3));
        yield return Sample(Data([0, 3]), [1], SignedIdx([2], 3));
        yield return Sample(Data([3, 4]), [0], Mask([3, 4]));
        yield return Sample(Data([2, 3, 4]), [1], Mask([3, 4], T));
        yield return Sample(Data([4, 3], T), [0], Mask([4]));
        yield return Sample(Data([3, 4, 5]), [0, 2], Mask([3]), SignedIdx([1], 5));
        yield return Sample(Data([3, 4]), [1], Mask([4], C, DType.UInt8));
        foreach (var d in OtherDTypes)
        {
            yield return Sample(Data([4, 3], C, d), [0], SignedIdx([5], 4));
            yield return Sample(Data([3, 4], T, d), [0], Mask([3, 4]));
        }
        yield return Sample(Data([3, 4]), [0], Data([2]));
        yield return Sample(Data([3]), [0, 1], SignedIdx([1], 3), SignedIdx([1], 3));
        yield return Sample(Data([3, 4]), [0], Mask([4]));
        yield return Sample(Data([3, 4]), [0, 1], SignedIdx([2], 3), SignedIdx([3], 4));
    }

    public static IEnumerable<OpSample> IndexPut()
    {
        static OpSample Sample(TensorSpec self, TensorSpec values, long[] dims, bool accumulate, params TensorSpec[] indices) =>
            new([self, values, .. indices], new Attrs { { "dims", dims }, { "accumulate", accumulate } }, accumulate ? SumTolerance(self.DType) : null);
        yield return Sample(Data([5, 3]), Data([1, 3]), [0], false, SignedIdx([1], 5));
        yield return Sample(Data([5, 3]), Data([]), [0], false, SignedIdx([4], 5));
        yield return Sample(Data([5, 3]), Data([3]), [0], false, SignedIdx([4], 5));
        yield return Sample(Data([3, 5], T), Data([3, 1]), [1], false, SignedIdx([2], 5));
        yield return Sample(Data([3, 4, 5], S), Data([4]), [0, 2], false, SignedIdx([2], 3), SignedIdx([2], 5));
        yield return Sample(Data([3, 4]), Data([]), [0], false, Mask([3, 4]));
        yield return Sample(Data([2, 3, 4]), Data([1]), [1], false, Mask([3, 4]));
        yield return Sample(Data([3, 4], E), Data([1, 4]), [0], false, SignedIdx([1], 3));
        yield return Sample(Data([3, 4]), Data([]), [0], false, SignedIdx([0], 3));
        yield return Sample(Data([5, 3]), Data([6, 3]), [0], true, SignedIdx([6], 5));
        yield return Sample(Data([4]), Data([10]), [0], true, Idx([10], 4));
        yield return Sample(Data([3, 5], T), Data([3, 4]), [1], true, SignedIdx([4], 5));
        yield return Sample(Data([3, 4, 5], S), Data([3, 4]), [0, 2], true, SignedIdx([3], 3), SignedIdx([3], 5));
        yield return Sample(Data([3, 4]), Data([1]), [0], true, Mask([3, 4]));
        yield return Sample(Data([3, 4]), Data([]), [0], true, Mask([3], C, DType.UInt8));
        foreach (var d in OtherDTypes)
        {
            yield return Sample(Data([5, 3], C, d), Data([1, 3], C, d), [0], false, SignedIdx([1], 5));
            yield return Sample(Data([5, 3], C, d), Data([6, 3], C, d), [0], true, SignedIdx([6], 5));
        }
        yield return Sample(Data([5, 3]), Data([1, 3], C, DType.Float64), [0], false, SignedIdx([1], 5));
        yield return Sample(Data([5, 3]), Data([2, 3]), [0], false, SignedIdx([4], 5));
        yield return Sample(Data([]), Data([]), [0], false, SignedIdx([], 1));
    }

    public static IEnumerable<OpSample> MaskedFill()
    {
        static OpSample WithValue(TensorSpec self, TensorSpec mask, double value) => new([self, mask], new Attrs { { "value", value } });
        yield return new OpSample([Data([3, 4]), Mask([3, 4]), Data([])], Attrs.Empty);
        yield return WithValue(Data([3, 4]), Mask([3, 4]), 2.5);
        yield return WithValue(Data([3, 4]), Mask([4]), -1.5);
        yield return WithValue(Data([3, 4], T), Mask([3, 1]), 0.5);
        yield return WithValue(Data([4]), Mask([3, 4]), 2);
        yield return WithValue(Data([2, 3, 4], S), Mask([3, 4], S), 1);
        yield return WithValue(Data([3, 4], E), Mask([3, 4], T), 3);
        yield return WithValue(Data([]), Mask([]), 1.5);
        yield return WithValue(Data([3, 4]), Mask([]), 1);
        yield return WithValue(Data([0, 3]), Mask([3]), 1);
        yield return WithValue(Data([40, 50]), Mask([40, 50]), -2);
        yield return new OpSample([Data([3, 4]), Mask([3, 4]), Data([], C, DType.Float64)], Attrs.Empty);
        yield return new OpSample([Data([3, 4]), Mask([3, 4]), Data([], C, DType.Int64)], Attrs.Empty);
        yield return new OpSample([Data([3, 4], C, DType.Int64), Mask([3, 4]), Data([])], Attrs.Empty);
        foreach (var d in OtherDTypes)
        {
            yield return WithValue(Data([3, 4], C, d), Mask([3, 4]), FillValue(d));
            yield return new OpSample([Data([4, 3], T, d), Mask([3]), Data([], C, d)], Attrs.Empty);
        }
        yield return new OpSample([Data([3, 4]), Mask([3, 4]), Data([1])], Attrs.Empty);
        yield return WithValue(Data([3, 4]), Mask([3]), 1);
    }

    public static IEnumerable<OpSample> MaskedSelect()
    {
        (TensorSpec Self, TensorSpec Mask)[] cases =
        [
            (Data([3, 4]), Mask([3, 4])),
            (Data([3, 4]), Mask([4])),
            (Data([4]), Mask([3, 1])),
            (Data([4, 3], T), Mask([4, 3], T)),
            (Data([2, 3, 4], S), Mask([3, 4])),
            (Data([3, 4], E), Mask([3, 4], S)),
            (Data([]), Mask([])),
            (Data([]), Mask([3])),
            (Data([0, 3]), Mask([3])),
            (Data([40, 50]), Mask([40, 50])),
            (Data([3, 4]), Mask([3, 4], C, DType.UInt8)),
        ];
        foreach (var (self, mask) in cases)
            yield return new OpSample([self, mask], Attrs.Empty);
        foreach (var d in OtherDTypes)
            yield return new OpSample([Data([3, 4], C, d), Mask([3, 4])], Attrs.Empty);
        yield return new OpSample([Data([3, 4]), Data([3, 4])], Attrs.Empty);
        yield return new OpSample([Data([3]), Mask([4])], Attrs.Empty);
    }

    public static IEnumerable<OpSample> Nonzero()
    {
        TensorSpec[] cases =
        [
            Data([]), Data([0]), Data([7]), Data([3, 4]), Data([4, 3], T), Data([2, 3, 5], S), Data([3, 4], E),
            Data([2, 0, 3]), Data([5, 6], C, F, SampleDomain.Special), Data([40, 50]), Data([2, 3, 2, 3]),
        ];
        foreach (var spec in cases)
            yield return new OpSample([spec], Attrs.Empty);
        foreach (var d in OtherDTypes)
        {
            yield return new OpSample([Data([3, 4], C, d)], Attrs.Empty);
            yield return new OpSample([Data([], C, d)], Attrs.Empty);
        }
        yield return new OpSample([Data([5, 6], C, DType.Float16, SampleDomain.Special)], Attrs.Empty);
    }

    public static IEnumerable<OpSample> OneHot()
    {
        (TensorSpec Input, long Classes)[] cases =
        [
            (Idx([6], 5), 5),
            (Idx([], 4), 4),
            (Idx([2, 3], 5), -1),
            (Idx([4, 3], 3, T), 6),
            (Idx([3, 4], 5, E), 5),
            (Idx([0], 1), 3),
            (Idx([0], 1), 0),
            (Idx([6], 5, C, DType.Int32), 5),
            (Idx([0], 1), -1),
        ];
        foreach (var (input, classes) in cases)
            yield return new OpSample([input], new Attrs { { "num_classes", classes } });
        yield return new OpSample([Idx([5], 4)], Attrs.Empty);
    }

    public static IEnumerable<OpSample> Embedding()
    {
        static OpSample Sample(TensorSpec input, TensorSpec weight, long? paddingIdx = null) =>
            new([input, weight], paddingIdx is { } p ? new Attrs { { "padding_idx", p } } : Attrs.Empty);
        yield return Sample(Idx([4], 10), Data([10, 3]));
        yield return Sample(Idx([2, 3], 10), Data([10, 5]));
        yield return Sample(Idx([], 6), Data([6, 4]));
        yield return Sample(Idx([0], 1), Data([5, 3]));
        yield return Sample(Idx([3], 4), Data([4, 6], T));
        yield return Sample(Idx([2, 2], 5), Data([5, 3], S));
        yield return Sample(Idx([5], 7), Data([7, 3]), 0);
        yield return Sample(Idx([5], 7), Data([7, 3]), -1);
        yield return Sample(Idx([4], 10, C, DType.Int32), Data([10, 3]));
        yield return Sample(Idx([3, 2], 10, E), Data([10, 3]));
        yield return Sample(Idx([4, 3], 10, T), Data([10, 2]));
        yield return Sample(Idx([64], 100), Data([100, 40]));
        foreach (var d in OtherDTypes)
            yield return Sample(Idx([4], 6), Data([6, 3], C, d));
        yield return Sample(Idx([4], 10), Data([10]));
        yield return Sample(Data([4]), Data([10, 3]));
    }

    /// <summary>Samples of <c>embedding_backward</c>: repeated indices, padding_idx (also negative), empty and strided gradients.</summary>
    public static IEnumerable<OpSample> EmbeddingBackward()
    {
        static OpSample Sample(TensorSpec grad, TensorSpec indices, long numWeights, long? paddingIdx = null)
        {
            var attrs = new Attrs { { "num_weights", numWeights } };
            if (paddingIdx is { } p) attrs.Add("padding_idx", p);
            return new([grad, indices], attrs);
        }
        yield return Sample(Data([6, 3]), Idx([6], 4), 4);
        yield return Sample(Data([2, 3, 5]), Idx([2, 3], 3), 3);
        yield return Sample(Data([4]), Idx([], 6), 6);
        yield return Sample(Data([8, 2]), Idx([8], 5), 5, 0);
        yield return Sample(Data([8, 2]), Idx([8], 5), 5, -2);
        yield return Sample(Data([3, 4], T), Idx([3], 7, C, DType.Int32), 7);
        yield return Sample(Data([0, 3]), Idx([0], 1), 5);
        yield return Sample(Data([64, 40]), Idx([64], 100), 100);
        yield return Sample(Data([5, 3], C, DType.Float64), Idx([5], 3), 3, 1);
        foreach (var d in new[] { DType.Float16, DType.BFloat16 })
            yield return new OpSample([Data([6, 3], C, d), Idx([6], 4)], new Attrs { { "num_weights", 4L } }, SumTolerance(d));
        yield return Sample(Data([4, 3]), Idx([3], 4), 4);
    }
}
