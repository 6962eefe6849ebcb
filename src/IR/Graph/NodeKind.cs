namespace Kiln.IR;

/// <summary>What a node does: apply a registered op, or one of the structural kinds the IR itself defines.</summary>
public enum NodeKind : byte
{
    /// <summary>Applies an <see cref="OpDef"/> from the <see cref="OpRegistry"/> to tensor operands.</summary>
    Op,
    /// <summary>A constant: a scalar, none, an inline <see cref="DenseConstant"/>, or a <see cref="TensorConstant"/> held by reference. No operands.</summary>
    Constant,
    /// <summary>
    /// Structured conditional: operand 0 is the condition (<c>bool</c> or a 0-d bool tensor); blocks 0 and 1
    /// (then, else) take no parameters and return values of the node's result types.
    /// </summary>
    If,
    /// <summary>
    /// Structured loop (TorchScript <c>prim::Loop</c>): operands are the trip count (<c>int</c>), the initial
    /// condition (<c>bool</c> or 0-d bool tensor) and the initial loop-carried values. The body block's
    /// parameters are the iteration index (<c>int</c>) and the carried values; it returns the condition to
    /// go on and the next carried values. The results are the carried values after the last iteration.
    /// </summary>
    Loop,
    /// <summary>Builds a tuple from its operands.</summary>
    TupleConstruct,
    /// <summary>Element <c>index</c> (an attribute) of a tuple operand.</summary>
    TupleGet,
    /// <summary>Builds a list from operands of one type.</summary>
    ListConstruct,
    /// <summary>Element of a list (operand 0) at an <c>int</c> index (operand 1).</summary>
    ListGet,
    /// <summary>An IR primitive from <see cref="Prims"/> (scalar arithmetic, scalar/tensor bridges, list operations), spelled by its name.</summary>
    Prim,
    /// <summary>
    /// A call of another graph (a helper method, a submodule's forward): the operands are the callee's body
    /// parameters in order (its inputs and parameters alike), the results its outputs.
    /// </summary>
    Call,
}

/// <summary>The <c>.kir</c> keywords of the structural node kinds.</summary>
public static class NodeKinds
{
    private static readonly (NodeKind Kind, string Keyword)[] Keywords =
    [
        (NodeKind.Constant, "constant"), (NodeKind.If, "if"), (NodeKind.Loop, "loop"),
        (NodeKind.TupleConstruct, "tuple"), (NodeKind.TupleGet, "tuple_get"),
        (NodeKind.ListConstruct, "list"), (NodeKind.ListGet, "list_get"), (NodeKind.Call, "call"),
    ];

    /// <summary>The keyword of a structural kind (<c>if</c>, <c>loop</c>, ...).</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is <see cref="NodeKind.Op"/> or <see cref="NodeKind.Prim"/>, which are spelled by their op's or primitive's name.</exception>
    public static string Keyword(NodeKind kind) => kind is NodeKind.Op or NodeKind.Prim
        ? throw new ArgumentException("op and primitive nodes are spelled by their names", nameof(kind))
        : Array.Find(Keywords, k => k.Kind == kind).Keyword;

    /// <summary>The structural kind a keyword names, if any.</summary>
    public static bool TryParse(string keyword, out NodeKind kind)
    {
        foreach (var (k, w) in Keywords)
        {
            if (w == keyword)
            {
                kind = k;
                return true;
            }
        }
        kind = NodeKind.Op;
        return false;
    }

    /// <summary>The labels the text form gives a kind's blocks, in order (<c>then</c>, <c>else</c>; <c>body</c>).</summary>
    public static IReadOnlyList<string> BlockLabels(NodeKind kind) => kind switch
    {
        NodeKind.If => ["then", "else"],
        NodeKind.Loop => ["body"],
        _ => [],
    };
}
