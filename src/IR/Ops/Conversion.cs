namespace Kiln.IR.Ops;

/// <summary>The Conversion op family.</summary>
public static class ConversionOps
{
    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [];
}
