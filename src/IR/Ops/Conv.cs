namespace Kiln.IR.Ops;

/// <summary>The conv op family.</summary>
public static class ConvOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
