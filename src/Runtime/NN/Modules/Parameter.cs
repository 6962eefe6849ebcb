namespace Kiln.NN;

/// <summary>
/// A tensor that is a module's learnable weight (<c>torch.nn.Parameter</c>): a leaf that requires grad by
/// default, found by <see cref="Module.Parameters"/> when it is held in a field of the module.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>A parameter sharing <paramref name="data"/>'s storage, cut off from any graph <paramref name="data"/> has.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="requiresGrad"/> is true and the data is not floating point.</exception>
    public Parameter(Tensor data, bool requiresGrad = true)
        : base((data ?? throw new ArgumentNullException(nameof(data))).storage, data.DType, data.shape, data.strides, data.offset)
    {
        RequiresGrad_(requiresGrad);
    }

    /// <inheritdoc/>
    public override string ToString() => "Parameter containing:\n" + base.ToString();
}
