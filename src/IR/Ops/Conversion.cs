namespace Kiln.IR.Ops;

/// <summary>Dtype conversion.</summary>
public static class ConversionOps
{
    /// <summary><c>self.to(dtype)</c>: converts every element (truncating floats to integers, nonzero to true).</summary>
    public static OpDef To { get; } = new()
    {
        Name = "to",
        Family = "conversion",
        Inputs = ["self"],
        Attributes = [new AttrDef("dtype", "dtype")],
        DTypes = [.. DTypes.All],
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("to", 1, inputs.Count);
            var dtype = attrs.GetDType("dtype") ?? throw new ArgumentException("to: the 'dtype' attribute is required");
            return [new TensorType(dtype, inputs[0].Shape)];
        },
        // A float32 → float64 sample of ordinary values comes first, for the gradient check.
        Samples = () => new[] { new OpSample([new TensorSpec(DType.Float32, [2, 3], SampleLayout.Transposed)], new Attrs { { "dtype", DType.Float64 } }) }.Concat(
            from src in DTypes.All
            from dst in DTypes.All
            where src != dst
            // Out-of-range float → integer conversions are undefined in C++, so only float and bool targets see NaN and infinities.
            select new OpSample([new TensorSpec(src, [2, 3], SampleLayout.Transposed, dst.IsFloatingPoint() || dst == DType.Bool ? SampleDomain.Special : SampleDomain.Any)], new Attrs { { "dtype", dst } })),
        Gradient = ElementwiseGradients.To,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [To];
}
