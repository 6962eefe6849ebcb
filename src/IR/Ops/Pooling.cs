namespace Kiln.IR.Ops;

/// <summary>The pooling op family.</summary>
public static class PoolingOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
