namespace Kiln;

// The autograd surface of a tensor (torch.Tensor.requires_grad, grad, grad_fn, backward, detach, retain_grad).
public partial class Tensor
{
    internal AutogradMeta? autograd;

    /// <summary>
    /// Whether gradients are computed for this tensor: set on leaves by the user, true for every result
    /// computed from a tensor that requires grad while grad mode is on.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a non-leaf, or set to true on a tensor that is not floating point.</exception>
    public bool RequiresGrad
    {
        get => autograd is { } m && (m.RequiresGrad || m.GradFn is not null);
        set => RequiresGrad_(value);
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (<c>tensor.requires_grad_()</c>).</summary>
    /// <exception cref="InvalidOperationException">This tensor is not a leaf, or is not floating point.</exception>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        if (!IsLeaf)
            throw new InvalidOperationException($"RequiresGrad: only leaf tensors' flags can be changed; this tensor (shape {Shapes.Format(shape)}) was computed by {autograd!.GradFn!.Name}; use Detach() to get a leaf");
        if (requiresGrad && !DType.IsFloatingPoint())
            throw new InvalidOperationException($"RequiresGrad: only floating-point tensors can require gradients, got {DType.Name()}");
        if (requiresGrad || autograd is not null)
            (autograd ??= new AutogradMeta()).RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Whether this tensor was created by the user rather than computed from tensors that require grad.</summary>
    public bool IsLeaf => autograd?.GradFn is null;

    /// <summary>The node that computed this tensor (PyTorch's <c>grad_fn</c>), or null for a leaf.</summary>
    public GradNode? GradFn => autograd?.GradFn;

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/>: set on leaves that require grad, and on non-leaves
    /// after <see cref="RetainGrad"/>. Null until the first backward pass; assign null to reset it.
    /// </summary>
    /// <exception cref="ArgumentException">The assigned gradient's shape or dtype differs from this tensor's.</exception>
    public Tensor? Grad
    {
        get => autograd?.Grad;
        set
        {
            if (value is not null && (!value.shape.AsSpan().SequenceEqual(shape) || value.DType != DType))
                throw new ArgumentException($"Grad: assigned gradient {value.DType.Name()}{Shapes.Format(value.shape)} does not match the tensor's {DType.Name()}{Shapes.Format(shape)}");
            if (value is null && autograd is null) return;
            (autograd ??= new AutogradMeta()).Grad = value;
        }
    }

    /// <summary>Whether this non-leaf keeps its gradient (after <see cref="RetainGrad"/>); leaves that require grad always do.</summary>
    public bool RetainsGrad => autograd is { RetainsGrad: true };

    /// <summary>Makes the next backward pass store this non-leaf tensor's gradient in <see cref="Grad"/>.</summary>
    /// <exception cref="InvalidOperationException">This tensor does not require grad.</exception>
    public void RetainGrad()
    {
        if (!RequiresGrad)
            throw new InvalidOperationException($"RetainGrad: the tensor (shape {Shapes.Format(shape)}) does not require grad");
        if (IsLeaf) return;
        var meta = autograd!;
        meta.RetainsGrad = true;
        var node = meta.GradFn!;
        (node.RetainedOutputs ??= [])[meta.OutputIndex] = this;
    }

    /// <summary>A tensor sharing this one's storage but cut off from the graph: a leaf that does not require grad.</summary>
    public Tensor Detach()
    {
        // The IR has no stop-gradient op: a traced Detach would become a frozen copy of this run's data.
        if (Scripting.Tracer.Current is { } tracer && tracer.IsTraced(this) && Scripting.UserCode.CalledFromUserCode(nameof(Detach)))
            throw Scripting.TraceDiagnostics.Unrecorded("Detach()", "the graph has no stop-gradient yet: detach outside the traced Forward, or keep the gradient");
        return AsStrided(shape, strides, offset);
    }

    /// <summary>Cuts this tensor off from the graph in place, making it a leaf that does not require grad.</summary>
    /// <exception cref="NotSupportedException">This tensor is a view of a tensor with a gradient history.</exception>
    public Tensor Detach_()
    {
        if (autograd is { IsViewOfGradTensor: true })
            throw new NotSupportedException($"Detach_: cannot detach a view of a tensor that requires grad in place; use Detach()");
        if (autograd is not null)
        {
            autograd.GradFn = null;
            autograd.RequiresGrad = false;
        }
        return this;
    }

    /// <summary>How many times the storage was written in place (PyTorch's <c>tensor._version</c>).</summary>
    public int Version => storage.Version;

    /// <summary>Records an in-place write to the storage, so saved tensors that alias it are known to be stale.</summary>
    internal void MarkModified() => storage.Version++;

    /// <summary>
    /// Computes the gradient of this tensor with respect to the leaves it was computed from and accumulates
    /// it into their <see cref="Grad"/> (<c>tensor.backward()</c>).
    /// </summary>
    /// <param name="gradient">The gradient of the final result with respect to this tensor; may be omitted only for a one-element tensor.</param>
    /// <param name="retainGraph">Keep the saved tensors so that backward can run through this graph again (default: <paramref name="createGraph"/>).</param>
    /// <param name="createGraph">Record the backward pass, so the gradients themselves can be differentiated.</param>
    /// <exception cref="InvalidOperationException">This tensor does not require grad, the gradient is missing for a non-scalar, or the graph was freed.</exception>
    public void Backward(Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false) =>
        BackwardEngine.Run([this], [gradient], retainGraph ?? createGraph, createGraph, inputs: null, allowUnused: true);
}
