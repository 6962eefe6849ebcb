using static Kiln.IR.Ops.ElementwiseDefs;

namespace Kiln.IR.Ops;

/// <summary>Unary elementwise math (<c>torch.neg</c>, <c>torch.exp</c>, <c>torch.floor</c>, <c>torch.isnan</c>, <c>torch.clamp</c> ...).</summary>
public static class UnaryMathOps
{
    /// <summary><c>-self</c> (not defined on bool; integers wrap).</summary>
    public static OpDef Neg { get; } = SameUnary("neg", Numeric) with { Gradient = ElementwiseGradients.Neg };

    /// <summary><c>|self|</c> (not defined on bool; integers wrap).</summary>
    public static OpDef Abs { get; } = SameUnary("abs", Numeric) with { Gradient = ElementwiseGradients.Abs };

    /// <summary>-1, 0 or 1 by sign, in the input's dtype (bool stays bool).</summary>
    public static OpDef Sign { get; } = WithGradSamples(SameUnary("sign", AllDTypes), SampleDomain.NonZero, null, GradShapes)
        with { Gradient = ElementwiseGradients.Zero };

    /// <summary><c>self * self</c> in the input's dtype; bool gives int64 (it is <c>pow(self, 2)</c> in PyTorch).</summary>
    public static OpDef Square { get; } = new()
    {
        Name = "square",
        Family = "elementwise",
        Inputs = ["self"],
        DTypes = AllDTypes,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("square", 1, inputs.Count);
            return [new TensorType(inputs[0].DType == DType.Bool ? DType.Int64 : inputs[0].DType, inputs[0].Shape)];
        },
        Samples = () => SampleSets.Unary(SampleAll).Append(SpecialValues(DType.Float32)),
        Gradient = ElementwiseGradients.SquareRule,
    };

    /// <summary><c>e^self</c>.</summary>
    public static OpDef Exp { get; } = FloatUnary("exp") with { Gradient = ElementwiseGradients.Exp };

    /// <summary><c>2^self</c>.</summary>
    public static OpDef Exp2 { get; } = FloatUnary("exp2") with { Gradient = ElementwiseGradients.Exp2 };

    /// <summary><c>e^self - 1</c>, accurate near zero.</summary>
    public static OpDef Expm1 { get; } = FloatUnary("expm1") with { Gradient = ElementwiseGradients.Expm1 };

    /// <summary>The natural logarithm.</summary>
    public static OpDef Log { get; } = FloatUnary("log", SampleDomain.Positive) with { Gradient = ElementwiseGradients.Log };

    /// <summary>The base-2 logarithm.</summary>
    public static OpDef Log2 { get; } = FloatUnary("log2", SampleDomain.Positive) with { Gradient = ElementwiseGradients.Log2 };

    /// <summary>The base-10 logarithm.</summary>
    public static OpDef Log10 { get; } = FloatUnary("log10", SampleDomain.Positive) with { Gradient = ElementwiseGradients.Log10 };

    /// <summary><c>log(1 + self)</c>, accurate near zero.</summary>
    public static OpDef Log1p { get; } = FloatUnary("log1p", SampleDomain.Unit) with { Gradient = ElementwiseGradients.Log1p };

    /// <summary>The square root.</summary>
    public static OpDef Sqrt { get; } = FloatUnary("sqrt", SampleDomain.Positive) with { Gradient = ElementwiseGradients.Sqrt };

    /// <summary><c>1 / sqrt(self)</c>.</summary>
    public static OpDef Rsqrt { get; } = FloatUnary("rsqrt", SampleDomain.Positive) with { Gradient = ElementwiseGradients.Rsqrt };

    /// <summary><c>1 / self</c> (always floating point).</summary>
    public static OpDef Reciprocal { get; } = FloatUnary("reciprocal", SampleDomain.NonZero) with { Gradient = ElementwiseGradients.Reciprocal };

    /// <summary>The sine.</summary>
    public static OpDef Sin { get; } = FloatUnary("sin") with { Gradient = ElementwiseGradients.Sin };

    /// <summary>The cosine.</summary>
    public static OpDef Cos { get; } = FloatUnary("cos") with { Gradient = ElementwiseGradients.Cos };

    /// <summary>The tangent.</summary>
    public static OpDef Tan { get; } = FloatUnary("tan") with { Gradient = ElementwiseGradients.Tan };

    /// <summary>The arcsine.</summary>
    public static OpDef Asin { get; } = FloatUnary("asin", SampleDomain.Unit) with { Gradient = ElementwiseGradients.Asin };

    /// <summary>The arccosine.</summary>
    public static OpDef Acos { get; } = FloatUnary("acos", SampleDomain.Unit) with { Gradient = ElementwiseGradients.Acos };

    /// <summary>The arctangent.</summary>
    public static OpDef Atan { get; } = FloatUnary("atan") with { Gradient = ElementwiseGradients.Atan };

    /// <summary>The hyperbolic sine.</summary>
    public static OpDef Sinh { get; } = FloatUnary("sinh") with { Gradient = ElementwiseGradients.Sinh };

    /// <summary>The hyperbolic cosine.</summary>
    public static OpDef Cosh { get; } = FloatUnary("cosh") with { Gradient = ElementwiseGradients.Cosh };

    /// <summary>The hyperbolic tangent.</summary>
    public static OpDef Tanh { get; } = FloatUnary("tanh") with { Gradient = ElementwiseGradients.Tanh };

    /// <summary>The logistic sigmoid <c>1 / (1 + e^-self)</c>.</summary>
    public static OpDef Sigmoid { get; } = FloatUnary("sigmoid") with { Gradient = ElementwiseGradients.Sigmoid };

    /// <summary>The error function.</summary>
    public static OpDef Erf { get; } = FloatUnary("erf") with { Gradient = ElementwiseGradients.Erf };

    /// <summary>The complementary error function <c>1 - erf(self)</c>.</summary>
    public static OpDef Erfc { get; } = FloatUnary("erfc") with { Gradient = ElementwiseGradients.Erfc };

    // floor, ceil and round list gradient-check samples in (-1, 1) whose generated values miss their jumps
    // (0 for floor and ceil, ±0.5 for round); trunc is continuous there.

    /// <summary>Rounds down; integers are returned unchanged (not defined on bool).</summary>
    public static OpDef Floor { get; } = WithGradSamples(SameUnary("floor", Numeric), SampleDomain.Unit, null,
        ([5], SampleLayout.Contiguous), ([2, 3], SampleLayout.Contiguous), ([4], SampleLayout.Contiguous), ([3], SampleLayout.Contiguous), ([2, 2], SampleLayout.Contiguous), ([1], SampleLayout.Contiguous))
        with { Gradient = ElementwiseGradients.Zero };

    /// <summary>Rounds up; integers are returned unchanged (not defined on bool).</summary>
    public static OpDef Ceil { get; } = WithGradSamples(SameUnary("ceil", Numeric), SampleDomain.Unit, null,
        ([2, 3], SampleLayout.Contiguous), ([4], SampleLayout.Contiguous), ([3], SampleLayout.Contiguous), ([6], SampleLayout.Contiguous), ([2, 2], SampleLayout.Contiguous), ([1], SampleLayout.Contiguous))
        with { Gradient = ElementwiseGradients.Zero };

    /// <summary>Rounds to the nearest integer, halves to even; integers are returned unchanged (not defined on bool).</summary>
    public static OpDef Round { get; } = WithGradSamples(SameUnary("round", Numeric), SampleDomain.Unit, null,
        ([5], SampleLayout.Contiguous), ([3, 4], SampleLayout.Transposed), ([1], SampleLayout.Contiguous), ([2, 3], SampleLayout.Strided), ([9], SampleLayout.Contiguous), ([11], SampleLayout.Contiguous))
        with { Gradient = ElementwiseGradients.Zero };

    /// <summary>Rounds toward zero; integers are returned unchanged (not defined on bool).</summary>
    public static OpDef Trunc { get; } = WithGradSamples(SameUnary("trunc", Numeric), SampleDomain.Unit, null, GradShapes)
        with { Gradient = ElementwiseGradients.Zero };

    /// <summary>Whether each element is NaN.</summary>
    public static OpDef IsNan { get; } = Predicate("isnan");

    /// <summary>Whether each element is ±infinity.</summary>
    public static OpDef IsInf { get; } = Predicate("isinf");

    /// <summary>Whether each element is neither NaN nor infinite.</summary>
    public static OpDef IsFinite { get; } = Predicate("isfinite");

    /// <summary>Whether each element is zero.</summary>
    public static OpDef LogicalNot { get; } = Predicate("logical_not");

    /// <summary>
    /// Clamps into [min, max] (either bound may be absent, not both). The bounds are scalars: a float bound
    /// makes an integer input's result float32, an integer bound keeps integer dtypes; min &gt; max gives max
    /// everywhere and a NaN anywhere gives NaN, as in PyTorch.
    /// </summary>
    public static OpDef Clamp { get; } = new()
    {
        Name = "clamp",
        Family = "elementwise",
        Inputs = ["self"],
        Attributes = [new AttrDef("min", "float"), new AttrDef("max", "float")],
        DTypes = AllDTypes,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("clamp", 1, inputs.Count);
            return [new TensorType(ClampResultDType(inputs[0], attrs["min"], attrs["max"]), inputs[0].Shape)];
        },
        Samples = ClampSamples,
        Gradient = ElementwiseGradients.Clamp,
    };

    /// <summary>Every op of this file.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
    [
        Neg, Abs, Sign, Square, Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Rsqrt, Reciprocal,
        Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Sigmoid, Erf, Erfc, Floor, Ceil, Round, Trunc,
        IsNan, IsInf, IsFinite, LogicalNot, Clamp,
    ];

    /// <summary>The result dtype of <c>clamp(self, min, max)</c>: the bounds take part in promotion as C# scalars.</summary>
    /// <exception cref="ArgumentException">Both bounds are absent, or a bound is not a number.</exception>
    public static DType ClampResultDType(TensorType self, object? min, object? max)
    {
        if (min is null && max is null)
            throw new ArgumentException("clamp: at least one of 'min' and 'max' must be given");
        var operands = new List<(DType, OperandKind)> { (self.DType, self.Rank == 0 ? OperandKind.ZeroDim : OperandKind.Dimensioned) };
        foreach (var bound in new[] { min, max })
        {
            switch (bound)
            {
                case null: break;
                case long: operands.Add((DType.Int64, OperandKind.Scalar)); break;
                case double: operands.Add((DType.Float64, OperandKind.Scalar)); break;
                default: throw new ArgumentException($"clamp: bounds must be numbers, got {bound.GetType().Name}");
            }
        }
        return DTypePromotion.ResultType(operands.ToArray());
    }

    private static IEnumerable<OpSample> ClampSamples()
    {
        // Gradient-check samples first: bounds that values drawn away from zero never hit exactly.
        foreach (var bounds in new Attrs[] { new() { { "min", -0.75 }, { "max", 1.25 } }, new() { { "min", -0.75 } }, new() { { "max", 1.25 } } })
        {
            foreach (var shape in GradShapes.Take(2))
                yield return new OpSample([new TensorSpec(DType.Float64, shape.Shape, shape.Layout, SampleDomain.NonZero)], bounds);
        }
        Attrs[] floatBounds =
        [
            new() { { "min", -1.0 }, { "max", 1.5 } },
            new() { { "min", 1.0 }, { "max", -0.5 } },
            new() { { "min", -0.5 } },
            new() { { "max", 0.5 } },
        ];
        foreach (var sample in SampleSets.Unary(SampleAll, SampleDomain.Any, floatBounds[0]))
            yield return sample;
        foreach (var attrs in floatBounds)
            yield return SpecialValues(DType.Float32, attrs);
        foreach (var attrs in floatBounds.Skip(1))
            yield return new OpSample([new TensorSpec(DType.Float64, [3, 4], SampleLayout.Transposed)], attrs);
        Attrs intBounds = new() { { "min", -2L }, { "max", 3L } };
        foreach (var dtype in new[] { DType.Int64, DType.Int32, DType.Int8, DType.Float32, DType.Bool })
            yield return new OpSample([new TensorSpec(dtype, [3, 4])], intBounds);
        yield return new OpSample([new TensorSpec(DType.Int16, [5])], new Attrs { { "max", 4L } });
    }
}
