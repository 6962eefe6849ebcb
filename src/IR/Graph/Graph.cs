namespace Kiln.IR;

/// <summary>
/// An SSA graph: a named function whose body block takes the inputs and parameters (weights bound by the
/// module, marked with <see cref="IsParameter"/>) and returns the outputs. Tensor constants are
/// <see cref="NodeKind.Constant"/> nodes holding a <see cref="TensorConstant"/> by reference.
/// </summary>
public sealed class Graph
{
    private readonly HashSet<Value> parameters = [];
    private int valueCount;

    /// <summary>Creates an empty graph.</summary>
    /// <exception cref="ArgumentException">The name is not an identifier.</exception>
    public Graph(string name)
    {
        if (!KirSyntax.IsIdentifier(name))
            throw new ArgumentException($"graph name '{name}' is not an identifier", nameof(name));
        Name = name;
        Body = new Block(this, null);
    }

    /// <summary>The graph's name (the C# method it came from, e.g. <c>forward</c>).</summary>
    public string Name { get; }

    /// <summary>The top-level block: its parameters are the inputs and parameters, its returns the outputs.</summary>
    public Block Body { get; }

    /// <summary>The inputs a caller passes, in order.</summary>
    public IReadOnlyList<Value> Inputs => [.. Body.Params.Where(v => !parameters.Contains(v))];

    /// <summary>The parameters (weights) the module binds by name, in order.</summary>
    public IReadOnlyList<Value> Parameters => [.. Body.Params.Where(parameters.Contains)];

    /// <summary>The values the graph returns.</summary>
    public IReadOnlyList<Value> Outputs => Body.Returns;

    /// <summary>How many values the graph has created (every <see cref="Value.Id"/> is below this).</summary>
    public int ValueCount => valueCount;

    /// <summary>Adds an input the caller passes.</summary>
    public Value AddInput(string name, IrType type) => Body.AddParam(type, name);

    /// <summary>Adds a parameter (a weight bound by name, e.g. <c>fc1.weight</c>).</summary>
    public Value AddParameter(string name, IrType type)
    {
        var v = Body.AddParam(type, name);
        parameters.Add(v);
        return v;
    }

    /// <summary>Whether <paramref name="value"/> is one of the graph's parameters.</summary>
    public bool IsParameter(Value value) => parameters.Contains(value);

    /// <summary>Sets the graph's outputs.</summary>
    public void SetOutputs(IEnumerable<Value> values) => Body.SetReturns(values);

    /// <summary>
    /// Creates a detached node with the given result types and no blocks (add them with
    /// <see cref="Node.AddBlock"/>); insert it with <see cref="Block.Append"/>. No checks are made: use a
    /// <see cref="GraphBuilder"/> to infer types, and the <see cref="GraphVerifier"/> to check.
    /// </summary>
    public Node CreateNode(NodeKind kind, OpDef? op, IEnumerable<Value> operands, Attrs attrs, IEnumerable<IrType> resultTypes, object? constant = null) =>
        new(this, kind, op, operands, attrs, resultTypes, constant);

    /// <summary>Creates a detached node applying IR primitive <paramref name="prim"/>; no checks are made (see <see cref="CreateNode"/>).</summary>
    public Node CreatePrimNode(PrimDef prim, IEnumerable<Value> operands, Attrs attrs, IEnumerable<IrType> resultTypes) =>
        new(this, NodeKind.Prim, null, operands, attrs, resultTypes, null, prim: prim);

    /// <summary>Creates a detached node calling <paramref name="callee"/>; no checks are made (see <see cref="CreateNode"/>).</summary>
    public Node CreateCallNode(Graph callee, IEnumerable<Value> operands, IEnumerable<IrType> resultTypes) =>
        new(this, NodeKind.Call, null, operands, [], resultTypes, null, callee: callee);

    /// <summary>
    /// Creates a detached node doing what <paramref name="like"/> does (same kind, op, primitive, callee and
    /// constant) on other operands, with a copy of its attributes and no blocks: the cloner's and passes' way
    /// to copy a node.
    /// </summary>
    public Node CreateNodeLike(Node like, IEnumerable<Value> operands, IEnumerable<IrType> resultTypes)
    {
        var attrs = new Attrs();
        foreach (var (key, value) in like.Attrs) attrs.Add(key, value);
        return new(this, like.Kind, like.Op, operands, attrs, resultTypes, like.Constant, like.Prim, like.Callee);
    }

    /// <summary>Every node, in pre-order (each node before the nodes of its blocks).</summary>
    public IEnumerable<Node> AllNodes() => Body.AllNodes();

    internal int NextValueId() => valueCount++;

    /// <summary>The graph's <c>.kir</c> text.</summary>
    public override string ToString() => KirPrinter.Print(this);
}
