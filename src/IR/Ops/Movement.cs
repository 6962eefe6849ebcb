namespace Kiln.IR.Ops;

/// <summary>The movement op family.</summary>
public static class MovementOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
