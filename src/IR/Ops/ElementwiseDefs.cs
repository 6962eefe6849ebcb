namespace Kiln.IR.Ops;

/// <summary>The dtype sets, type rules and OpDef builders the elementwise and comparison families share.</summary>
internal static class ElementwiseDefs
{
    /// <summary>Every dtype.</summary>
    internal static readonly DType[] AllDTypes = [.. DTypes.All];

    /// <summary>Every dtype but bool.</summary>
    internal static readonly DType[] Numeric = [.. DTypes.All.Where(d => d != DType.Bool)];

    /// <summary>The floating-point dtypes.</summary>
    internal static readonly DType[] Floating = [.. DTypes.Floating];

    /// <summary>Sample dtypes: float32 first (it gets the full shape set), then the other floats.</summary>
    internal static readonly DType[] SampleFloats = [DType.Float32, DType.Float64, DType.Float16, DType.BFloat16];

    /// <summary>Sample dtypes: the floats, then every integer type.</summary>
    internal static readonly DType[] SampleNumeric = [.. SampleFloats, DType.Int64, DType.Int32, DType.Int16, DType.Int8, DType.UInt8];

    /// <summary>Sample dtypes: every dtype, bool last.</summary>
    internal static readonly DType[] SampleAll = [.. SampleNumeric, DType.Bool];

    /// <summary>
    /// The type rule of an op that dispatches on its inputs' promoted dtype (as PyTorch's binary ops do, so
    /// <c>pow(bool, int64)</c> is fine while <c>pow(bool, bool)</c> is not): the promoted dtype must be in
    /// <paramref name="allowed"/>; the result follows <paramref name="kind"/>; shapes broadcast.
    /// </summary>
    internal static TypeRule Promoted(string op, ResultKind kind, IReadOnlyList<DType> allowed) => (inputs, _) =>
    {
        if (inputs.Count == 0) throw new ArgumentException($"{op}: expected at least one input");
        return [new TensorType(TypeRules.ResultDType(kind, CheckedPromotion(op, inputs, allowed)), Shapes.Broadcast(op, inputs.Select(t => t.Shape)))];
    };

    /// <summary>The promoted dtype of <paramref name="inputs"/> (0-d inputs have lower priority), checked against <paramref name="allowed"/>.</summary>
    /// <exception cref="ArgumentException">The promoted dtype is not allowed.</exception>
    internal static DType CheckedPromotion(string op, IReadOnlyList<TensorType> inputs, IReadOnlyList<DType> allowed)
    {
        var operands = inputs.Select(t => (t.DType, t.Rank == 0 ? OperandKind.ZeroDim : OperandKind.Dimensioned)).ToArray();
        var promoted = DTypePromotion.ResultType(operands);
        if (!allowed.Contains(promoted))
        {
            string from = inputs.Count == 1 ? "" : $" (the promoted dtype of inputs {string.Join(", ", inputs.Select(t => t.DType.Name()))})";
            throw new ArgumentException($"{op}: dtype {promoted.Name()}{from} is not supported; expected one of {string.Join(", ", allowed.Select(d => d.Name()))}");
        }
        return promoted;
    }

    /// <summary>
    /// A unary op with a floating-point result (integer and bool inputs give float32), sampled on
    /// <paramref name="domain"/> for every float dtype, int64 and bool, plus float32 special values.
    /// </summary>
    internal static OpDef FloatUnary(string name, SampleDomain domain = SampleDomain.Any) => new()
    {
        Name = name,
        Family = "elementwise",
        Inputs = ["self"],
        DTypes = AllDTypes,
        InferTypes = TypeRules.Elementwise(name, ResultKind.Float, AllDTypes),
        Samples = () => SampleSets.Unary([.. SampleFloats, DType.Int64, DType.Bool], domain).Append(SpecialValues(DType.Float32)),
    };

    /// <summary>A unary op computed in the input's own dtype, sampled on every allowed dtype.</summary>
    internal static OpDef SameUnary(string name, IReadOnlyList<DType> dtypes, SampleDomain domain = SampleDomain.Any) => new()
    {
        Name = name,
        Family = "elementwise",
        Inputs = ["self"],
        DTypes = dtypes,
        InferTypes = TypeRules.Elementwise(name, ResultKind.Same, dtypes),
        Samples = () => SampleSets.Unary([.. SampleAll.Where(dtypes.Contains)], domain).Append(SpecialValues(DType.Float32)),
    };

    /// <summary>A unary predicate with a bool result, on every dtype, sampled with special values.</summary>
    internal static OpDef Predicate(string name) => new()
    {
        Name = name,
        Family = "elementwise",
        Inputs = ["self"],
        DTypes = AllDTypes,
        InferTypes = TypeRules.Elementwise(name, ResultKind.Bool, AllDTypes),
        Samples = () => SampleSets.Unary(SampleAll, SampleDomain.Special),
    };

    /// <summary>
    /// A floating-point-only unary op with attributes (the activations), sampled once per attribute set in
    /// <paramref name="attrSets"/> (the first set on the full shape list); <paramref name="checkAttrs"/>
    /// validates attribute values; <paramref name="bfloat16Tolerance"/> overrides the tolerance of bfloat16 samples.
    /// </summary>
    internal static OpDef Activation(string name, IReadOnlyList<AttrDef> schema, Attrs[] attrSets, Action<Attrs>? checkAttrs = null, Tolerance? bfloat16Tolerance = null)
    {
        var rule = TypeRules.Elementwise(name, ResultKind.Same, Floating);
        return new()
        {
            Name = name,
            Family = "elementwise",
            Inputs = ["self"],
            Attributes = schema,
            DTypes = Floating,
            InferTypes = (inputs, attrs) =>
            {
                checkAttrs?.Invoke(attrs);
                return rule(inputs, attrs);
            },
            Samples = () => attrSets.SelectMany((attrs, i) => i == 0
                ? SampleSets.Unary(SampleFloats, SampleDomain.Any, attrs).Append(SpecialValues(DType.Float32, attrs))
                : SampleSets.Unary([DType.Float32, DType.Float64], SampleDomain.Any, attrs))
                .Select(s => s.Inputs[0].DType == DType.BFloat16 && bfloat16Tolerance is not null ? s with { Tolerance = bfloat16Tolerance } : s),
        };
    }

    /// <summary>A binary op that dispatches on the promoted dtype, sampled on every allowed dtype and promotion pair.</summary>
    internal static OpDef Binary(string name, ResultKind kind, IReadOnlyList<DType> dtypes, SampleDomain domainA = SampleDomain.Any, SampleDomain domainB = SampleDomain.Any,
        IReadOnlyList<AttrDef>? schema = null, Func<IEnumerable<OpSample>>? extra = null, string family = "elementwise") => new()
    {
        Name = name,
        Family = family,
        Inputs = ["self", "other"],
        Attributes = schema ?? [],
        DTypes = dtypes,
        InferTypes = Promoted(name, kind, dtypes),
        Samples = () => SampleSets.Binary([.. SampleAll.Where(dtypes.Contains)], domainA, domainB).Concat(extra?.Invoke() ?? []),
    };

    /// <summary>
    /// <paramref name="def"/> with float64 samples listed first, for the finite-difference gradient check (which
    /// takes an op's first few float samples): drawn from <paramref name="domain"/> in <paramref name="shapes"/>.
    /// Ops with kinks (floor, sign, relu ...) pass shapes whose generated values avoid them.
    /// </summary>
    internal static OpDef WithGradSamples(OpDef def, SampleDomain domain, Attrs? attrs, params (long[] Shape, SampleLayout Layout)[] shapes)
    {
        var samples = def.Samples;
        return def with
        {
            Samples = () => shapes
                .Select(s => new OpSample([new TensorSpec(DType.Float64, s.Shape, s.Layout, domain)], attrs ?? Attrs.Empty))
                .Concat(samples()),
        };
    }

    /// <summary>
    /// <paramref name="def"/> (a binary op) with float64 samples listed first for the gradient check: self from
    /// <paramref name="selfDomain"/>, other from <paramref name="otherDomain"/>, in the given shape pairs.
    /// </summary>
    internal static OpDef WithGradSamples(OpDef def, SampleDomain selfDomain, SampleDomain otherDomain, params (long[] Self, long[] Other)[] shapes)
    {
        var samples = def.Samples;
        return def with
        {
            Samples = () => shapes
                .Select(s => new OpSample(
                    [new TensorSpec(DType.Float64, s.Self, SampleLayout.Contiguous, selfDomain), new TensorSpec(DType.Float64, s.Other, SampleLayout.Contiguous, otherDomain)],
                    Attrs.Empty))
                .Concat(samples()),
        };
    }

    /// <summary>Six shapes and layouts for gradient-check samples of ops smooth on their domain.</summary>
    internal static readonly (long[] Shape, SampleLayout Layout)[] GradShapes =
    [
        ([5], SampleLayout.Contiguous), ([2, 3], SampleLayout.Contiguous), ([3, 4], SampleLayout.Transposed),
        ([2, 5], SampleLayout.Strided), ([4], SampleLayout.Contiguous), ([3], SampleLayout.Contiguous),
    ];

    /// <summary>One float sample of NaN, ±infinity and ±0 mixed with ordinary values.</summary>
    internal static OpSample SpecialValues(DType dtype, Attrs? attrs = null) =>
        new([new TensorSpec(dtype, [16], SampleLayout.Contiguous, SampleDomain.Special)], attrs ?? Attrs.Empty);

    /// <summary>A binary sample with both operands of <paramref name="dtype"/> and shapes [3, 4] and [4].</summary>
    internal static OpSample BinarySample(DType dtype, SampleDomain domainA, SampleDomain domainB, Attrs? attrs = null) =>
        new([new TensorSpec(dtype, [3, 4], SampleLayout.Contiguous, domainA), new TensorSpec(dtype, [4], SampleLayout.Contiguous, domainB)], attrs ?? Attrs.Empty);
}
