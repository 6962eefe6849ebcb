namespace Kiln.NN;

/// <summary><c>y = x1ᵀ·A·x2 + b</c> per output feature (<c>torch.nn.Bilinear</c>), initialised from U(-1/√in1, 1/√in1).</summary>
public sealed class Bilinear : Module
{
    /// <summary>A layer mapping pairs of <paramref name="in1Features"/> and <paramref name="in2Features"/> to <paramref name="outFeatures"/>.</summary>
    public Bilinear(long in1Features, long in2Features, long outFeatures, bool bias = true, DType dtype = DType.Float32)
    {
        LayerChecks.NonNegative("Bilinear", ("in1Features", in1Features), ("in2Features", in2Features), ("outFeatures", outFeatures));
        Weight = LayerChecks.NewParameter("Bilinear", [outFeatures, in1Features, in2Features], dtype);
        LayerChecks.UniformByFanIn(Weight, in1Features);
        if (bias)
        {
            Bias = LayerChecks.NewParameter("Bilinear", [outFeatures], dtype);
            LayerChecks.UniformByFanIn(Bias, in1Features);
        }
    }

    /// <summary>The weight, out × in1 × in2.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>The bilinear form of <paramref name="input1"/> [..., in1] and <paramref name="input2"/> [..., in2] → [..., out].</summary>
    /// <exception cref="ArgumentException">The feature sizes or leading dims do not match.</exception>
    public Tensor Forward(Tensor input1, Tensor input2)
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        long outF = Weight.shape[0], in1 = Weight.shape[1], in2 = Weight.shape[2];
        if (input1.Dim == 0 || input2.Dim == 0 || input1.shape[^1] != in1 || input2.shape[^1] != in2
            || !input1.shape.AsSpan(0, input1.Dim - 1).SequenceEqual(input2.shape.AsSpan(0, input2.Dim - 1)))
            throw new ArgumentException($"Bilinear: inputs {Shapes.Format(input1.shape)} and {Shapes.Format(input2.shape)} must be [..., {in1}] and [..., {in2}] with the same leading dims");
        long[] lead = input1.shape[..^1];
        var x1 = input1.Reshape(-1, in1);
        var x2 = input2.Reshape(-1, in2);
        var mixed = x1.Matmul(Weight.Permute(1, 0, 2).Reshape(in1, outF * in2)).View(-1, outF, in2);
        var y = (mixed * x2.Unsqueeze(1)).Sum(-1);
        if (Bias is not null) y = y + Bias;
        return y.Reshape([.. lead, outF]);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in1_features={Weight.shape[1]}, in2_features={Weight.shape[2]}, out_features={Weight.shape[0]}, bias={LayerChecks.Py(Bias is not null)}";
}
