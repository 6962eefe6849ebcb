namespace Kiln.NN;

/// <summary>Flattens dims <c>startDim..endDim</c> into one (<c>torch.nn.Flatten</c>; by default all but the batch dim).</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Flatten(startDim, endDim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"start_dim={startDim}, end_dim={endDim}";
}

/// <summary>Splits dim <c>dim</c> into <c>sizes</c> (<c>torch.nn.Unflatten</c>).</summary>
public sealed class Unflatten(long dim, long[] sizes) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Unflatten(dim, sizes);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={dim}, unflattened_size={LayerChecks.Py(sizes)}";
}

/// <summary>Returns its input (<c>torch.nn.Identity</c>), a placeholder in model definitions.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;
}
