using static Kiln.IR.Ops.ElementwiseDefs;

namespace Kiln.IR.Ops;

/// <summary>Comparisons and logical ops: bool results; comparisons promote their inputs to a common dtype first.</summary>
public static class ComparisonOps
{
    /// <summary><c>self == other</c>.</summary>
    public static OpDef Eq { get; } = Compare("eq");

    /// <summary><c>self != other</c>.</summary>
    public static OpDef Ne { get; } = Compare("ne");

    /// <summary><c>self &lt; other</c>.</summary>
    public static OpDef Lt { get; } = Compare("lt");

    /// <summary><c>self &lt;= other</c>.</summary>
    public static OpDef Le { get; } = Compare("le");

    /// <summary><c>self &gt; other</c>.</summary>
    public static OpDef Gt { get; } = Compare("gt");

    /// <summary><c>self &gt;= other</c>.</summary>
    public static OpDef Ge { get; } = Compare("ge");

    /// <summary>Both operands nonzero (each is converted to bool on its own, without promotion).</summary>
    public static OpDef LogicalAnd { get; } = Compare("logical_and");

    /// <summary>Either operand nonzero.</summary>
    public static OpDef LogicalOr { get; } = Compare("logical_or");

    /// <summary>Exactly one operand nonzero.</summary>
    public static OpDef LogicalXor { get; } = Compare("logical_xor");

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor];

    private static OpDef Compare(string name) =>
        Binary(name, ResultKind.Bool, AllDTypes, SampleDomain.Special, SampleDomain.Special, family: "comparison");
}
