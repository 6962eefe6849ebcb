namespace Kiln.IR.Autodiff;

/// <summary>What a gradient rule sees of one op call: its inputs, results, attributes and incoming gradients.</summary>
/// <param name="Inputs">The op's inputs as they were when it ran (null for an optional input left out).</param>
/// <param name="Outputs">The op's results.</param>
/// <param name="Attrs">The op's attributes.</param>
/// <param name="GradOutputs">The gradient of the loss with respect to each result (null where none flows: treat as zero).</param>
/// <param name="NeedsInputGrad">Which inputs need a gradient; a rule may skip the others.</param>
public sealed record VjpContext(
    IReadOnlyList<VjpValue?> Inputs,
    IReadOnlyList<VjpValue> Outputs,
    Attrs Attrs,
    IReadOnlyList<VjpValue?> GradOutputs,
    IReadOnlyList<bool> NeedsInputGrad)
{
    /// <summary>Input <paramref name="i"/>, which must be present.</summary>
    public VjpValue Input(int i) => Inputs[i] ?? throw new InvalidOperationException($"gradient rule: input {i} was not given");

    /// <summary>The gradient of the only (or first) result, zeros when none flows.</summary>
    public VjpValue Grad => GradOutput(0);

    /// <summary>The gradient of result <paramref name="i"/>, zeros of the result's shape when none flows.</summary>
    public VjpValue GradOutput(int i) => GradOutputs[i] ?? Outputs[i].ZerosLike();

    /// <summary>The emitter to build with.</summary>
    public IVjpEmitter Emitter => Outputs[0].Emitter;
}

/// <summary>
/// A vector-Jacobian product rule: given the gradients of an op's results, the gradients of its inputs
/// (null for inputs that take none: indices, masks, inputs that do not need one).
/// </summary>
public delegate VjpValue?[] VjpRule(VjpContext context);
