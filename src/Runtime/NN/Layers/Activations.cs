namespace Kiln.NN;

/// <summary><c>max(x, 0)</c> (<c>torch.nn.ReLU</c>).</summary>
public sealed class ReLU(bool inplace = false) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Relu(input, inplace);

    /// <inheritdoc/>
    protected override string ExtraRepr() => inplace ? "inplace=True" : "";
}

/// <summary><c>x</c> where positive, else <c>negativeSlope·x</c> (<c>torch.nn.LeakyReLU</c>).</summary>
public sealed class LeakyReLU(double negativeSlope = 0.01, bool inplace = false) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LeakyRelu(input, negativeSlope, inplace);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"negative_slope={LayerChecks.Py(negativeSlope)}" + (inplace ? ", inplace=True" : "");
}

/// <summary>The Gaussian error linear unit, exact or with the tanh approximation (<c>torch.nn.GELU</c>).</summary>
public sealed class GELU(string approximate = "none") : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Gelu(input, approximate);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"approximate='{approximate}'";
}

/// <summary><c>x·sigmoid(x)</c> (<c>torch.nn.SiLU</c>).</summary>
public sealed class SiLU(bool inplace = false) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Silu(input, inplace);

    /// <inheritdoc/>
    protected override string ExtraRepr() => inplace ? "inplace=True" : "";
}

/// <summary>The logistic function (<c>torch.nn.Sigmoid</c>).</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Sigmoid(input);
}

/// <summary>The hyperbolic tangent (<c>torch.nn.Tanh</c>).</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Tanh(input);
}

/// <summary><c>log(1 + e^(βx))/β</c>, linear above the threshold (<c>torch.nn.Softplus</c>).</summary>
public sealed class Softplus(double beta = 1, double threshold = 20) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softplus(input, beta, threshold);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"beta={LayerChecks.Py(beta)}, threshold={LayerChecks.Py(threshold)}";
}

/// <summary>Softmax along <c>dim</c> (<c>torch.nn.Softmax</c>).</summary>
public sealed class Softmax(long dim) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmax(input, dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={dim}";
}

/// <summary>Log-softmax along <c>dim</c> (<c>torch.nn.LogSoftmax</c>).</summary>
public sealed class LogSoftmax(long dim) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LogSoftmax(input, dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={dim}";
}
