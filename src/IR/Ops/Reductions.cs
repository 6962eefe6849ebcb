namespace Kiln.IR.Ops;

/// <summary>The Reductions op family.</summary>
public static class ReductionOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
