namespace Kiln.IR.Ops;

/// <summary>The indexing op family.</summary>
public static class IndexingOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
