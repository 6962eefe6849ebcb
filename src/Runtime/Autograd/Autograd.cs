namespace Kiln;

/// <summary>Autograd entry points (PyTorch's <c>torch.autograd</c> and grad-mode context managers).</summary>
public static class Autograd
{
    /// <summary>Whether operations on this thread are recorded for backward.</summary>
    public static bool IsGradEnabled => GradMode.IsEnabled;

    /// <summary>Turns recording off until the returned scope is disposed: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
    public static GradModeScope NoGrad() => GradMode.Set(false);

    /// <summary>Turns recording on until the returned scope is disposed (inside a <see cref="NoGrad"/> block).</summary>
    public static GradModeScope EnableGrad() => GradMode.Set(true);

    /// <summary>Sets recording on or off until the returned scope is disposed.</summary>
    public static GradModeScope SetGradEnabled(bool enabled) => GradMode.Set(enabled);

    /// <summary>
    /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/> (<c>torch.autograd.grad</c>),
    /// without touching any tensor's <see cref="Tensor.Grad"/>.
    /// </summary>
    /// <param name="outputs">The tensors to differentiate.</param>
    /// <param name="inputs">The tensors to differentiate with respect to (leaves or intermediate results that require grad).</param>
    /// <param name="gradOutputs">The gradient for each output (null entries, or null for all, for one-element outputs).</param>
    /// <param name="retainGraph">Keep the graph for another backward pass (default: <paramref name="createGraph"/>).</param>
    /// <param name="createGraph">Record the backward pass so the returned gradients can be differentiated again.</param>
    /// <param name="allowUnused">Return null for inputs the outputs do not depend on, instead of throwing.</param>
    /// <exception cref="InvalidOperationException">An input does not require grad or is unused, or an output has no graph.</exception>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? gradOutputs = null,
        bool? retainGraph = null, bool createGraph = false, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Autograd.Grad: {gradOutputs.Count} gradOutputs for {outputs.Count} outputs");
        return BackwardEngine.Run(outputs, gradOutputs ?? [], retainGraph ?? createGraph, createGraph, inputs, allowUnused);
    }

    /// <summary>The gradient of one output with respect to one input.</summary>
    public static Tensor? Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool? retainGraph = null, bool createGraph = false, bool allowUnused = false) =>
        Grad([output], [input], [gradOutput], retainGraph, createGraph, allowUnused)[0];
}
