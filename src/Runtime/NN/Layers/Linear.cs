namespace Kiln.NN;

/// <summary><c>y = x·Wᵀ + b</c> (<c>torch.nn.Linear</c>), weight and bias initialised from U(-1/√in, 1/√in) as in PyTorch.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>A layer mapping <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    /// <exception cref="ArgumentException">A size is negative, or the dtype is not floating point.</exception>
    public Linear(long inFeatures, long outFeatures, bool bias = true, DType dtype = DType.Float32)
    {
        LayerChecks.NonNegative("Linear", ("inFeatures", inFeatures), ("outFeatures", outFeatures));
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = LayerChecks.NewParameter("Linear", [outFeatures, inFeatures], dtype);
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5));
        if (bias)
        {
            Bias = LayerChecks.NewParameter("Linear", [outFeatures], dtype);
            LayerChecks.UniformByFanIn(Bias, inFeatures);
        }
    }

    /// <summary>The number of input features.</summary>
    public long InFeatures { get; }

    /// <summary>The number of output features.</summary>
    public long OutFeatures { get; }

    /// <summary>The weight, outFeatures × inFeatures.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, or null when created without one.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={LayerChecks.Py(Bias is not null)}";
}
