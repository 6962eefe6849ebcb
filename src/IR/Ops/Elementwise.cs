namespace Kiln.IR.Ops;

/// <summary>
/// The elementwise family: unary math (<see cref="UnaryMathOps"/>), activations (<see cref="ActivationOps"/>),
/// binary math (<see cref="BinaryMathOps"/>) and three-input ops (<see cref="TernaryOps"/>), each defined in its own file.
/// </summary>
public static class ElementwiseOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [.. UnaryMathOps.All, .. ActivationOps.All, .. BinaryMathOps.All, .. TernaryOps.All];
}
