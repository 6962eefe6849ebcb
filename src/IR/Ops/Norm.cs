namespace Kiln.IR.Ops;

/// <summary>The norm op family.</summary>
public static class NormOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
