using static Kiln.IR.Ops.ElementwiseDefs;

namespace Kiln.IR.Ops;

/// <summary>Binary elementwise math with broadcasting and PyTorch's dtype promotion (<c>torch.add</c>, <c>torch.pow</c> ...).</summary>
public static class BinaryMathOps
{
    /// <summary>The promoted dtypes <c>div</c> accepts with a rounding mode (every dtype but bool).</summary>
    public static IReadOnlyList<DType> RoundingDivDTypes { get; } = Numeric;

    /// <summary><c>self + alpha * other</c>.</summary>
    public static OpDef Add { get; } = Binary("add", ResultKind.Same, AllDTypes, schema: [new AttrDef("alpha", "float", 1.0)],
        extra: () => [new OpSample([new TensorSpec(DType.Float32, [3, 4]), new TensorSpec(DType.Float32, [4])], new Attrs { { "alpha", 2.5 } })])
        with { Gradient = ElementwiseGradients.Add };

    /// <summary><c>self - alpha * other</c> (a bool operand is an error, as in PyTorch).</summary>
    public static OpDef Sub { get; } = new()
    {
        Name = "sub",
        Family = "elementwise",
        Inputs = ["self", "other"],
        Attributes = [new AttrDef("alpha", "float", 1.0)],
        DTypes = Numeric,
        InferTypes = TypeRules.Elementwise("sub", ResultKind.Same, Numeric),
        Samples = () => SampleSets.Binary(SampleNumeric).Append(BinarySample(DType.Int64, SampleDomain.Any, SampleDomain.Any, new Attrs { { "alpha", 3L } })),
        Gradient = ElementwiseGradients.Sub,
    };

    /// <summary><c>self * other</c> (logical and on bool).</summary>
    public static OpDef Mul { get; } = Binary("mul", ResultKind.Same, AllDTypes) with { Gradient = ElementwiseGradients.Mul };

    /// <summary>
    /// <c>self / other</c>: true division (integers give float32) unless <c>rounding_mode</c> is <c>"trunc"</c>
    /// or <c>"floor"</c>, which keep the promoted dtype and are not defined on bool.
    /// </summary>
    public static OpDef Div { get; } = new()
    {
        Name = "div",
        Family = "elementwise",
        Inputs = ["self", "other"],
        Attributes = [new AttrDef("rounding_mode", "str")],
        DTypes = AllDTypes,
        InferTypes = (inputs, attrs) => IsRounding("div", attrs["rounding_mode"] as string)
            ? Promoted("div", ResultKind.Same, RoundingDivDTypes)(inputs, attrs)
            : Promoted("div", ResultKind.Float, AllDTypes)(inputs, attrs),
        Samples = DivSamples,
        Gradient = ElementwiseGradients.Div,
    };

    /// <summary><c>self ** other</c>: integers stay integers (a negative tensor exponent gives 0 except for bases ±1).</summary>
    public static OpDef Pow { get; } = Binary("pow", ResultKind.Same, Numeric, SampleDomain.Any, SampleDomain.Small, extra: () =>
    [
        BinarySample(DType.Float32, SampleDomain.Positive, SampleDomain.Any),
        BinarySample(DType.Float64, SampleDomain.Positive, SampleDomain.Any),
        BinarySample(DType.Int64, SampleDomain.Any, SampleDomain.Any),
        BinarySample(DType.Float32, SampleDomain.Special, SampleDomain.Special),
    ]) with { Gradient = ElementwiseGradients.Pow };

    /// <summary>The angle of the point (other, self), <c>atan2(self, other)</c>; always floating point.</summary>
    public static OpDef Atan2 { get; } = Binary("atan2", ResultKind.Float, AllDTypes,
        extra: () => [BinarySample(DType.Float32, SampleDomain.Special, SampleDomain.Special)]) with { Gradient = ElementwiseGradients.Atan2 };

    /// <summary>The elementwise maximum; NaN if either operand is NaN.</summary>
    public static OpDef Maximum { get; } = Binary("maximum", ResultKind.Same, AllDTypes, SampleDomain.Special, SampleDomain.Special)
        with { Gradient = ElementwiseGradients.Extremum(selfLoses: "lt", otherLoses: "gt") };

    /// <summary>The elementwise minimum; NaN if either operand is NaN.</summary>
    public static OpDef Minimum { get; } = Binary("minimum", ResultKind.Same, AllDTypes, SampleDomain.Special, SampleDomain.Special)
        with { Gradient = ElementwiseGradients.Extremum(selfLoses: "gt", otherLoses: "lt") };

    // remainder and fmod list gradient-check samples (|self| < 1, |other| >= 0.5) whose generated values keep
    // self/other off the integers, where the result jumps.

    /// <summary>Python's modulo: the result has the divisor's sign (integer division by zero is an error).</summary>
    public static OpDef Remainder { get; } = WithGradSamples(
        Binary("remainder", ResultKind.Same, Numeric, SampleDomain.Any, SampleDomain.NonZero, extra: () => [BinarySample(DType.Float32, SampleDomain.Special, SampleDomain.Special)]),
        SampleDomain.Unit, SampleDomain.NonZero, ([2, 3], [2, 3]), ([3, 1], [1, 4]), ([2, 2], [2]), ([4], [4]), ([2, 4], [4]), ([1, 3], [2, 1]))
        with { Gradient = ElementwiseGradients.Modulo("floor") };

    /// <summary>C's fmod: the result has the dividend's sign (integer division by zero is an error).</summary>
    public static OpDef Fmod { get; } = WithGradSamples(
        Binary("fmod", ResultKind.Same, Numeric, SampleDomain.Any, SampleDomain.NonZero, extra: () => [BinarySample(DType.Float32, SampleDomain.Special, SampleDomain.Special)]),
        SampleDomain.Unit, SampleDomain.NonZero, ([3, 4], [4]), ([2, 3], [2, 3]), ([3, 1], [1, 4]), ([2, 2], [2]), ([4], [4]), ([3], [3]))
        with { Gradient = ElementwiseGradients.Modulo("trunc") };

    /// <summary>Every op of this file.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Add, Sub, Mul, Div, Pow, Atan2, Maximum, Minimum, Remainder, Fmod];

    /// <summary>Whether a <c>rounding_mode</c> rounds (<c>"trunc"</c>, <c>"floor"</c>) or not (null: true division).</summary>
    /// <exception cref="ArgumentException">Any other mode.</exception>
    public static bool IsRounding(string op, string? roundingMode) => roundingMode switch
    {
        null => false,
        "trunc" or "floor" => true,
        _ => throw new ArgumentException($"{op}: rounding_mode must be null, \"trunc\" or \"floor\", got \"{roundingMode}\""),
    };

    private static IEnumerable<OpSample> DivSamples()
    {
        var samples = SampleSets.Binary(SampleAll, SampleDomain.Any, SampleDomain.NonZero);
        foreach (var mode in new[] { "trunc", "floor" })
        {
            var attrs = new Attrs { { "rounding_mode", mode } };
            samples = samples
                .Concat(SampleSets.Binary([DType.Float32], SampleDomain.Any, SampleDomain.NonZero, attrs))
                .Concat(SampleNumeric.Skip(1).Select(dtype => BinarySample(dtype, SampleDomain.Any, SampleDomain.NonZero, attrs)))
                .Append(BinarySample(DType.Float32, SampleDomain.Special, SampleDomain.Special, attrs));
        }
        return samples.Append(BinarySample(DType.Float32, SampleDomain.Special, SampleDomain.Special));
    }
}
