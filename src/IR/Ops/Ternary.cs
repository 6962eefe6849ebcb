using static Kiln.IR.Ops.ElementwiseDefs;

namespace Kiln.IR.Ops;

/// <summary>Three-input elementwise ops (<c>torch.where</c>, <c>torch.lerp</c>); all three inputs broadcast together.</summary>
public static class TernaryOps
{
    /// <summary>Layouts of three broadcast inputs: equal shapes, broadcasting, views, 0-d and empty.</summary>
    private static readonly (long[] Shape, SampleLayout Layout)[][] Shapes3 =
    [
        [([3, 4], SampleLayout.Contiguous), ([3, 4], SampleLayout.Contiguous), ([3, 4], SampleLayout.Contiguous)],
        [([3, 4], SampleLayout.Transposed), ([4], SampleLayout.Contiguous), ([3, 1], SampleLayout.Contiguous)],
        [([2, 3, 4], SampleLayout.Strided), ([1, 4], SampleLayout.Contiguous), ([], SampleLayout.Contiguous)],
        [([4, 3], SampleLayout.Expanded), ([4, 3], SampleLayout.Transposed), ([3], SampleLayout.Strided)],
        [([], SampleLayout.Contiguous), ([], SampleLayout.Contiguous), ([], SampleLayout.Contiguous)],
        [([0, 3], SampleLayout.Contiguous), ([3], SampleLayout.Contiguous), ([1, 3], SampleLayout.Contiguous)],
    ];

    /// <summary>
    /// <c>condition ? self : other</c>, elementwise. The condition must be bool; self and other promote to a
    /// common dtype (0-d inputs have lower priority).
    /// </summary>
    public static OpDef Where { get; } = new()
    {
        Name = "where",
        Family = "elementwise",
        Inputs = ["condition", "self", "other"],
        DTypes = AllDTypes,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("where", 3, inputs.Count);
            if (inputs[0].DType != DType.Bool)
                throw new ArgumentException($"where: expected condition to be a bool tensor, but got dtype {inputs[0].DType.Name()}");
            var dtype = CheckedPromotion("where", [inputs[1], inputs[2]], AllDTypes);
            return [new TensorType(dtype, Shapes.Broadcast("where", inputs.Select(t => t.Shape)))];
        },
        Samples = WhereSamples,
        Gradient = ElementwiseGradients.WhereRule,
    };

    /// <summary>
    /// <c>self + weight · (end − self)</c>, floating point only; the three inputs must have the same dtype
    /// (PyTorch does not promote here).
    /// </summary>
    public static OpDef Lerp { get; } = new()
    {
        Name = "lerp",
        Family = "elementwise",
        Inputs = ["self", "end", "weight"],
        DTypes = Floating,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("lerp", 3, inputs.Count);
            TypeRules.CheckDType("lerp", inputs[0].DType, Floating, "self");
            CheckSameDType("lerp", inputs[0].DType, inputs[1].DType, "end");
            CheckSameDType("lerp", inputs[0].DType, inputs[2].DType, "weight");
            return [new TensorType(inputs[0].DType, Shapes.Broadcast("lerp", inputs.Select(t => t.Shape)))];
        },
        Samples = () =>
            from dtype in SampleFloats
            from shapes in dtype == DType.Float32 ? Shapes3 : Shapes3.Take(2)
            select new OpSample(
            [
                new TensorSpec(dtype, shapes[0].Shape, shapes[0].Layout),
                new TensorSpec(dtype, shapes[1].Shape, shapes[1].Layout),
                new TensorSpec(dtype, shapes[2].Shape, shapes[2].Layout),
            ], Attrs.Empty),
        Gradient = ElementwiseGradients.Lerp,
    };

    /// <summary>Every op of this file.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Where, Lerp];

    /// <summary>Throws unless <paramref name="other"/> equals <paramref name="expected"/> (for ops that do not promote).</summary>
    /// <exception cref="ArgumentException">The dtypes differ.</exception>
    public static void CheckSameDType(string op, DType expected, DType other, string what)
    {
        if (other != expected)
            throw new ArgumentException($"{op}: expected dtype {expected.Name()} for '{what}' but got dtype {other.Name()}");
    }

    private static IEnumerable<OpSample> WhereSamples()
    {
        static OpSample Sample((long[] Shape, SampleLayout Layout)[] s, DType a, DType b, SampleDomain domain) => new(
        [
            new TensorSpec(DType.Bool, s[2].Shape, s[2].Layout),
            new TensorSpec(a, s[0].Shape, s[0].Layout, domain),
            new TensorSpec(b, s[1].Shape, s[1].Layout, domain),
        ], Attrs.Empty);

        foreach (var shapes in Shapes3)
            yield return Sample(shapes, DType.Float32, DType.Float32, SampleDomain.Special);
        foreach (var dtype in SampleAll.Skip(1))
            yield return Sample(Shapes3[1], dtype, dtype, SampleDomain.Any);
        yield return Sample(Shapes3[1], DType.Int32, DType.Float64, SampleDomain.Any);
        yield return Sample(Shapes3[1], DType.Bool, DType.UInt8, SampleDomain.Any);
        yield return Sample(Shapes3[1], DType.Float16, DType.BFloat16, SampleDomain.Any);
        // A 0-d operand of the same category does not widen the result (int8 stays int8).
        yield return Sample([([4], SampleLayout.Contiguous), ([], SampleLayout.Contiguous), ([4], SampleLayout.Contiguous)], DType.Int8, DType.Int64, SampleDomain.Any);
    }
}
