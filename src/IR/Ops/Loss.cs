namespace Kiln.IR.Ops;

/// <summary>The loss op family.</summary>
public static class LossOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
