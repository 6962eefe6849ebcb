namespace Kiln.IR.Ops;

/// <summary>The Linalg op family.</summary>
public static class LinalgOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
