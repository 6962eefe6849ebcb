namespace Kiln.IR.Ops;

/// <summary>The attention op family.</summary>
public static class AttentionOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
