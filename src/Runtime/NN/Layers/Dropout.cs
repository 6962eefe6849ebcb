namespace Kiln.NN;

/// <summary>Zeroes each element with probability p in training mode and scales the rest by 1/(1−p) (<c>torch.nn.Dropout</c>).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    /// <summary>A dropout layer.</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(double p = 0.5, bool inplace = false)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
            throw new ArgumentException($"Dropout: probability p must be between 0 and 1, got {p}");
        P = p;
        Inplace = inplace;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>Whether the input is overwritten.</summary>
    public bool Inplace { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training, Inplace);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={LayerChecks.Py(P)}, inplace={LayerChecks.Py(Inplace)}";
}
