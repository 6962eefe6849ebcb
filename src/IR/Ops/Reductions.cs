namespace Kiln.IR.Ops;

/// <summary>
/// Reductions (sum, mean, prod, max/min, amax/amin, argmax/argmin, var/std, logsumexp, all/any, norm)
/// and the ops that run along one dim (softmax, log_softmax, cumsum, cumprod), with PyTorch 1.13's
/// dim handling, dtype rules and errors. The rules are public so the eager kernels check inputs with
/// the same code.
/// </summary>
public static class ReductionOps
{
    /// <summary>The floating-point dtypes (mean, var, std, norm, softmax accept only these).</summary>
    public static IReadOnlyList<DType> FloatDTypes { get; } = DTypes.Floating;

    /// <summary>Every dtype except bool (argmax and argmin have no bool kernel in PyTorch).</summary>
    public static IReadOnlyList<DType> NumericDTypes { get; } = [.. DTypes.All.Where(d => d != DType.Bool)];

    // ---- Rules shared with the eager kernels ----

    /// <summary>
    /// Which dims a reduction over <paramref name="dims"/> covers: an empty list means every dim; dims may
    /// be negative; a repeated dim is an error. A 0-d tensor accepts dims 0 and -1 (and has no dims to mask).
    /// </summary>
    /// <exception cref="ArgumentException">A dim repeats.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dim is out of range.</exception>
    public static bool[] ReducedDims(string op, ReadOnlySpan<long> shape, ReadOnlySpan<long> dims)
    {
        if (shape.Length == 0)
        {
            // Dims 0 and -1 both name the one (implicit) dim of a 0-d tensor, so [0, -1] repeats it.
            for (int i = 0; i < dims.Length; i++)
            {
                Shapes.WrapDim(op, dims[i], 0);
                if (i > 0)
                    throw new ArgumentException($"{op}: dim 0 appears more than once in the list of dims [{string.Join(", ", dims.ToArray())}] for a 0-d tensor");
            }
            return [];
        }
        return Shapes.DimMask(op, dims, shape.Length);
    }

    /// <summary>The mask of a reduction over one dim, or over every dim when <paramref name="dim"/> is null.</summary>
    public static bool[] ReducedDims(string op, ReadOnlySpan<long> shape, long? dim) =>
        dim is { } d ? ReducedDims(op, shape, [d]) : ReducedDims(op, shape, ReadOnlySpan<long>.Empty);

    /// <summary>The result shape: reduced dims dropped, or kept with size 1 when <paramref name="keepdim"/> is set.</summary>
    public static long[] ReducedShape(ReadOnlySpan<long> shape, ReadOnlySpan<bool> mask, bool keepdim)
    {
        var result = new List<long>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
        {
            if (!mask[d]) result.Add(shape[d]);
            else if (keepdim) result.Add(1);
        }
        return [.. result];
    }

    /// <summary>
    /// Throws when an op with no identity value (max, amax, argmax, the inf norms ...) would reduce over an
    /// empty dim, as PyTorch does; <paramref name="allDims"/> says the caller named no dims.
    /// </summary>
    /// <exception cref="ArgumentException">A reduced dim has size 0.</exception>
    public static void CheckNonEmpty(string op, ReadOnlySpan<long> shape, ReadOnlySpan<bool> mask, bool allDims)
    {
        if (allDims)
        {
            if (Shapes.Numel(shape) == 0)
                throw new ArgumentException($"{op}: cannot reduce a tensor of shape {Shapes.Format(shape)} with no elements over all its dims: the op has no identity value; name the dim to reduce with 'dim'");
            return;
        }
        for (int d = 0; d < shape.Length; d++)
        {
            if (mask[d] && shape[d] == 0)
                throw new ArgumentException($"{op}: cannot reduce over dim {d}, which has size 0 in a tensor of shape {Shapes.Format(shape)}: the op has no identity value");
        }
    }

    /// <summary>The result dtype of sum, prod, cumsum and cumprod: integers and bool give int64, floats keep their dtype.</summary>
    public static DType AccumulatingDType(DType input) => input.IsFloatingPoint() ? input : DType.Int64;

    /// <summary>The result dtype of logsumexp: floats keep their dtype, integers and bool give float32.</summary>
    public static DType FloatResultDType(DType input) => input.IsFloatingPoint() ? input : DTypes.DefaultFloat;

    /// <summary>The result dtype of all and any: bool, except uint8 for a uint8 input (as PyTorch 1.13).</summary>
    public static DType TruthDType(DType input) => input == DType.UInt8 ? DType.UInt8 : DType.Bool;

    /// <summary>Throws unless <paramref name="p"/> is a usable vector-norm order (any number but NaN).</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is NaN.</exception>
    public static void CheckNormOrder(double p)
    {
        if (double.IsNaN(p))
            throw new ArgumentException("norm: the order p must be a number or ±infinity, got NaN");
    }

    // ---- Op definitions ----

    private const DType F32 = DType.Float32, F64 = DType.Float64, F16 = DType.Float16, BF16 = DType.BFloat16;
    private const DType I64 = DType.Int64, I32 = DType.Int32, I16 = DType.Int16, I8 = DType.Int8, U8 = DType.UInt8, B = DType.Bool;

    private static readonly long[] AllDims = [];
    private static readonly AttrDef KeepDim = new("keepdim", "bool", false);
    private static readonly AttrDef DimList = new("dim", "ints", AllDims);
    private static readonly AttrDef OptionalDim = new("dim", "int");

    /// <summary><c>torch.sum(self, dim, keepdim)</c>: integers and bool sum to int64.</summary>
    public static OpDef Sum { get; } = Reduction("sum", DTypes.All, [DimList, KeepDim], (t, a) => Reduce("sum", t, a.GetLongs("dim"), a, AccumulatingDType(t.DType)),
        () => ReductionSamples.DimLists([F32, F64, F16, BF16, I64, I32, U8, B])) with { Gradient = ReductionGradients.Sum };

    /// <summary><c>torch.mean(self, dim, keepdim)</c>, floating inputs only; the mean of nothing is NaN.</summary>
    public static OpDef Mean { get; } = Reduction("mean", FloatDTypes, [DimList, KeepDim], (t, a) => Reduce("mean", t, a.GetLongs("dim"), a, t.DType),
        () => ReductionSamples.DimLists([F32, F64, F16, BF16])) with { Gradient = ReductionGradients.Mean };

    /// <summary><c>torch.prod(self)</c> or <c>torch.prod(self, dim, keepdim)</c>: integers and bool multiply in int64.</summary>
    public static OpDef Prod { get; } = Reduction("prod", DTypes.All, [OptionalDim, KeepDim], (t, a) => Reduce("prod", t, OneDim(a), a, AccumulatingDType(t.DType)),
        // Products of a hundred floats round differently in another order: allow a few ulps per factor.
        () => ReductionSamples.ForGradients(new Attrs(), DimAttrs(1, false), DimAttrs(0, true))
            .Concat(ReductionSamples.SingleDim([F32, F64, F16, BF16, I64, I32, I8, B], includeAll: true, SampleDomain.Any, allowEmpty: true, tolerance: new Tolerance(2e-5, 1e-5)))) with { Gradient = ReductionGradients.Prod };

    /// <summary><c>torch.amax(self, dim, keepdim)</c>: the largest value (NaN wins); an empty reduced dim is an error.</summary>
    public static OpDef Amax { get; } = Extremum("amax") with { Gradient = ReductionGradients.Extremum };

    /// <summary><c>torch.amin(self, dim, keepdim)</c>: the smallest value (NaN wins).</summary>
    public static OpDef Amin { get; } = Extremum("amin") with { Gradient = ReductionGradients.Extremum };

    /// <summary><c>torch.max(self, dim, keepdim)</c>: values and int64 indices (first occurrence; NaN wins).</summary>
    public static OpDef Max { get; } = WithIndices("max") with { Gradient = ReductionGradients.WithIndices };

    /// <summary><c>torch.min(self, dim, keepdim)</c>: values and int64 indices.</summary>
    public static OpDef Min { get; } = WithIndices("min") with { Gradient = ReductionGradients.WithIndices };

    /// <summary><c>torch.argmax(self, dim, keepdim)</c>: the int64 index of the first largest value (over the flattened tensor when dim is absent).</summary>
    public static OpDef Argmax { get; } = ArgIndex("argmax");

    /// <summary><c>torch.argmin(self, dim, keepdim)</c>.</summary>
    public static OpDef Argmin { get; } = ArgIndex("argmin");

    /// <summary><c>torch.var(self, dim, correction, keepdim)</c>: the sum of squared deviations over max(0, N - correction).</summary>
    public static OpDef Var { get; } = Spread("var") with { Gradient = ReductionGradients.Var };

    /// <summary><c>torch.std(self, dim, correction, keepdim)</c>: the square root of <see cref="Var"/>.</summary>
    public static OpDef Std { get; } = Spread("std") with { Gradient = ReductionGradients.Std };

    /// <summary><c>torch.logsumexp(self, dim, keepdim)</c>, computed stably; integer and bool inputs give float32.</summary>
    public static OpDef Logsumexp { get; } = Reduction("logsumexp", DTypes.All, [new AttrDef("dim", "ints"), KeepDim],
        (t, a) => Reduce("logsumexp", t, RequiredDims("logsumexp", a), a, FloatResultDType(t.DType)),
        () => ReductionSamples.DimLists([F32, F64, F16, BF16, I64, B], includeAllDims: true, domain: SampleDomain.Special)) with { Gradient = ReductionGradients.Logsumexp };

    /// <summary><c>torch.all(self)</c> or <c>torch.all(self, dim, keepdim)</c>: whether every element is nonzero.</summary>
    public static OpDef AllTrue { get; } = Truth("all");

    /// <summary><c>torch.any(self)</c> or <c>torch.any(self, dim, keepdim)</c>: whether some element is nonzero.</summary>
    public static OpDef AnyTrue { get; } = Truth("any");

    /// <summary>
    /// <c>torch.linalg.vector_norm(self, ord=p, dim, keepdim)</c>: p = 2, 1, ±inf (largest / smallest
    /// magnitude), 0 (count of nonzeros) or any other order (sum |x|^p)^(1/p); floating inputs only.
    /// </summary>
    public static OpDef Norm { get; } = Reduction("norm", FloatDTypes, [new AttrDef("p", "float", 2.0), DimList, KeepDim],
        (t, a) =>
        {
            double p = a.GetDouble("p", 2);
            CheckNormOrder(p);
            var dims = a.GetLongs("dim");
            var mask = ReducedDims("norm", t.Shape, dims);
            if (double.IsInfinity(p)) CheckNonEmpty("norm", t.Shape, mask, dims.Length == 0);
            return new TensorType(t.DType, ReducedShape(t.Shape, mask, a.GetBool("keepdim", false)));
        },
        () => ReductionSamples.ForGradients(NormAttrs(1, [1]), NormAttrs(double.PositiveInfinity, [1]), NormAttrs(double.NegativeInfinity, [0]),
                NormAttrs(3, []), NormAttrs(0.5, [1]), NormAttrs(-1, [0]))
            .Concat(ReductionSamples.Norm())) with { Gradient = ReductionGradients.Norm };

    /// <summary><c>torch.softmax(self, dim)</c>: exp(x - max) / sum, floating inputs only.</summary>
    public static OpDef Softmax { get; } = AlongDim("softmax", FloatDTypes, t => t.DType, () => ReductionSamples.AlongDim([F32, F64, F16, BF16])) with { Gradient = ReductionGradients.Softmax };

    /// <summary><c>torch.log_softmax(self, dim)</c>: x - max - log(sum(exp(x - max))).</summary>
    public static OpDef LogSoftmax { get; } = AlongDim("log_softmax", FloatDTypes, t => t.DType, () => ReductionSamples.AlongDim([F32, F64, F16, BF16])) with { Gradient = ReductionGradients.LogSoftmax };

    /// <summary><c>torch.cumsum(self, dim)</c>: running sums; integers and bool give int64.</summary>
    public static OpDef Cumsum { get; } = AlongDim("cumsum", DTypes.All, t => AccumulatingDType(t.DType), () => ReductionSamples.AlongDim([F32, F64, F16, BF16, I64, I32, U8, B])) with { Gradient = ReductionGradients.Cumsum };

    /// <summary><c>torch.cumprod(self, dim)</c>: running products; integers and bool give int64.</summary>
    public static OpDef Cumprod { get; } = AlongDim("cumprod", DTypes.All, t => AccumulatingDType(t.DType), () => ReductionSamples.AlongDim([F32, F64, F16, BF16, I64, I16, B])) with { Gradient = ReductionGradients.Cumprod };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
        [Sum, Mean, Prod, Amax, Amin, Max, Min, Argmax, Argmin, Var, Std, Logsumexp, AllTrue, AnyTrue, Norm, Softmax, LogSoftmax, Cumsum, Cumprod];

    private static OpDef Reduction(string name, IReadOnlyList<DType> dtypes, IReadOnlyList<AttrDef> schema, Func<TensorType, Attrs, TensorType> rule, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = "reduction",
        Inputs = ["self"],
        Attributes = schema,
        DTypes = dtypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity(name, 1, inputs.Count);
            TypeRules.CheckDType(name, inputs[0].DType, dtypes);
            return [rule(inputs[0], attrs)];
        },
        Samples = samples,
    };

    private static TensorType Reduce(string op, TensorType input, ReadOnlySpan<long> dims, Attrs attrs, DType result) =>
        new(result, ReducedShape(input.Shape, ReducedDims(op, input.Shape, dims), attrs.GetBool("keepdim", false)));

    private static Attrs DimAttrs(long dim, bool keepdim) => new() { { "dim", dim }, { "keepdim", keepdim } };

    private static Attrs DimsAttrs(long[] dims, bool keepdim) => new() { { "dim", dims }, { "keepdim", keepdim } };

    private static Attrs NormAttrs(double p, long[] dims) => new() { { "p", p }, { "dim", dims }, { "keepdim", false } };

    private static long[] OneDim(Attrs attrs) => attrs["dim"] is null ? [] : [attrs.GetLong("dim", 0)];

    private static long[] RequiredDims(string op, Attrs attrs) =>
        attrs["dim"] is null ? throw new ArgumentException($"{op}: the 'dim' attribute is required") : attrs.GetLongs("dim");

    private static long RequiredDim(string op, Attrs attrs) =>
        attrs["dim"] is null ? throw new ArgumentException($"{op}: the 'dim' attribute is required") : attrs.GetLong("dim", 0);

    private static OpDef Extremum(string name) => Reduction(name, DTypes.All, [DimList, KeepDim],
        (t, a) =>
        {
            var dims = a.GetLongs("dim");
            var mask = ReducedDims(name, t.Shape, dims);
            CheckNonEmpty(name, t.Shape, mask, dims.Length == 0);
            return new TensorType(t.DType, ReducedShape(t.Shape, mask, a.GetBool("keepdim", false)));
        },
        () => ReductionSamples.ForGradients(DimsAttrs([1], false), DimsAttrs([0], true), DimsAttrs([], false), DimsAttrs([0, 1], true), DimsAttrs([-1], false), DimsAttrs([0], false))
            .Concat(ReductionSamples.DimLists([F32, F64, F16, BF16, I64, I32, I8, U8, B], includeAllDims: true, SampleDomain.Special, allowEmpty: false)));

    private static OpDef WithIndices(string name)
    {
        var def = Reduction(name, DTypes.All, [new AttrDef("dim", "int"), KeepDim],
            (t, a) =>
            {
                var mask = ReducedDims(name, t.Shape, RequiredDim(name, a));
                CheckNonEmpty(name, t.Shape, mask, allDims: false);
                return new TensorType(t.DType, ReducedShape(t.Shape, mask, a.GetBool("keepdim", false)));
            },
            () => ReductionSamples.ForGradients(DimAttrs(1, false), DimAttrs(0, true), DimAttrs(-1, false), DimAttrs(-2, true))
                .Concat(ReductionSamples.SingleDim([F32, F64, F16, BF16, I64, I32, U8, B], includeAll: false, SampleDomain.Special, allowEmpty: false)));
        return new OpDef
        {
            Name = def.Name,
            Family = def.Family,
            Inputs = def.Inputs,
            Outputs = ["values", "indices"],
            Attributes = def.Attributes,
            DTypes = def.DTypes,
            InferTypes = (inputs, attrs) =>
            {
                var values = def.InferTypes(inputs, attrs)[0];
                return [values, new TensorType(DType.Int64, values.Shape)];
            },
            Samples = def.Samples,
        };
    }

    private static OpDef ArgIndex(string name) => Reduction(name, NumericDTypes, [OptionalDim, KeepDim],
        (t, a) =>
        {
            long? dim = a["dim"] is null ? null : a.GetLong("dim", 0);
            var mask = ReducedDims(name, t.Shape, dim);
            CheckNonEmpty(name, t.Shape, mask, allDims: dim is null);
            return new TensorType(DType.Int64, ReducedShape(t.Shape, mask, a.GetBool("keepdim", false)));
        },
        () => ReductionSamples.SingleDim([F32, F64, F16, BF16, I64, I32, I8, U8], includeAll: true, SampleDomain.Special, allowEmpty: false, keepdimWithoutDim: true));

    private static OpDef Spread(string name) => Reduction(name, FloatDTypes, [DimList, new AttrDef("correction", "int", 1L), KeepDim],
        (t, a) => Reduce(name, t, a.GetLongs("dim"), a, t.DType),
        ReductionSamples.Spread);

    private static OpDef Truth(string name) => Reduction(name, DTypes.All, [OptionalDim, KeepDim],
        (t, a) => Reduce(name, t, OneDim(a), a, TruthDType(t.DType)),
        () => ReductionSamples.SingleDim([B, F32, F64, F16, BF16, I64, I32, I8, U8], includeAll: true, SampleDomain.Special, allowEmpty: true));

    private static OpDef AlongDim(string name, IReadOnlyList<DType> dtypes, Func<TensorType, DType> result, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = "reduction",
        Inputs = ["self"],
        Attributes = [new AttrDef("dim", "int")],
        DTypes = dtypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity(name, 1, inputs.Count);
            TypeRules.CheckDType(name, inputs[0].DType, dtypes);
            Shapes.WrapDim(name, RequiredDim(name, attrs), inputs[0].Rank);
            return [new TensorType(result(inputs[0]), inputs[0].Shape)];
        },
        Samples = samples,
    };
}
