namespace Kiln.IR.Ops;

/// <summary>The Comparison op family.</summary>
public static class ComparisonOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
