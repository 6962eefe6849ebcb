namespace Kiln.IR.Ops;

/// <summary>The random op family.</summary>
public static class RandomOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
