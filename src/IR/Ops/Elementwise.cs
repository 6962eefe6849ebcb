namespace Kiln.IR.Ops;

/// <summary>The Elementwise op family.</summary>
public static class ElementwiseOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
