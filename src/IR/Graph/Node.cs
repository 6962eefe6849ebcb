namespace Kiln.IR;

/// <summary>
/// One operation in a block: a registered op (<see cref="Op"/>) or a structural kind (constant, if, loop,
/// tuple and list nodes), with operands, attributes, results, owned blocks (for if and loop), and the
/// source span it came from. Create nodes with <see cref="Graph.CreateNode"/> or a <see cref="GraphBuilder"/>.
/// </summary>
public sealed class Node
{
    private readonly List<Value> operands = [];
    private readonly List<Value> results;
    private readonly List<Block> blocks = [];

    internal Node(Graph graph, NodeKind kind, OpDef? op, IEnumerable<Value> operands, Attrs attrs, IEnumerable<IrType> resultTypes, object? constant, PrimDef? prim = null, Graph? callee = null)
    {
        if ((kind == NodeKind.Op) != (op is not null))
            throw new ArgumentException(kind == NodeKind.Op ? "an op node needs an OpDef" : "only op nodes take an OpDef", nameof(op));
        if ((kind == NodeKind.Prim) != (prim is not null))
            throw new ArgumentException(kind == NodeKind.Prim ? "a prim node needs a PrimDef" : "only prim nodes take a PrimDef", nameof(prim));
        if ((kind == NodeKind.Call) != (callee is not null))
            throw new ArgumentException(kind == NodeKind.Call ? "a call node needs its callee" : "only call nodes take a callee", nameof(callee));
        Graph = graph;
        Kind = kind;
        Op = op;
        Prim = prim;
        Callee = callee;
        Attrs = attrs;
        Constant = constant;
        foreach (var v in operands) AddOperand(v);
        results = [.. resultTypes.Select((t, i) => new Value(graph, t, null) { Producer = this, Index = i })];
    }

    /// <summary>The graph the node belongs to.</summary>
    public Graph Graph { get; }

    /// <summary>What the node does.</summary>
    public NodeKind Kind { get; }

    /// <summary>The registered op when <see cref="Kind"/> is <see cref="NodeKind.Op"/>, else null.</summary>
    public OpDef? Op { get; }

    /// <summary>The primitive when <see cref="Kind"/> is <see cref="NodeKind.Prim"/>, else null.</summary>
    public PrimDef? Prim { get; }

    /// <summary>The called graph when <see cref="Kind"/> is <see cref="NodeKind.Call"/>, else null.</summary>
    public Graph? Callee { get; }

    /// <summary>The op's or primitive's name, or the structural kind's keyword: what executors dispatch on and what text shows.</summary>
    public string Name => Op?.Name ?? Prim?.Name ?? NodeKinds.Keyword(Kind);

    /// <summary>The values the node reads, in order.</summary>
    public IReadOnlyList<Value> Operands => operands;

    /// <summary>The node's attributes.</summary>
    public Attrs Attrs { get; }

    /// <summary>A constant node's payload: a long, double or bool for a scalar, a <see cref="TensorConstant"/> or <see cref="DenseConstant"/>, or null for none.</summary>
    public object? Constant { get; }

    /// <summary>The values the node defines, in order.</summary>
    public IReadOnlyList<Value> Results => results;

    /// <summary>The only result.</summary>
    /// <exception cref="InvalidOperationException">The node does not have exactly one result.</exception>
    public Value Result => results.Count == 1 ? results[0]
        : throw new InvalidOperationException($"{Name} has {results.Count} results, not one");

    /// <summary>The blocks the node owns (then and else for if, the body for loop).</summary>
    public IReadOnlyList<Block> Blocks => blocks;

    /// <summary>The C# source the node came from, or null.</summary>
    public SourceSpan? Span { get; set; }

    /// <summary>The block the node is in, or null while detached.</summary>
    public Block? Owner { get; internal set; }

    /// <summary>Adds an owned block (empty, with no parameters) and returns it.</summary>
    public Block AddBlock()
    {
        var block = new Block(Graph, this);
        blocks.Add(block);
        return block;
    }

    /// <summary>Appends a result of type <paramref name="type"/> (an if's or loop's results are known once its blocks are built).</summary>
    public Value AddResult(IrType type)
    {
        var v = new Value(Graph, type, null) { Producer = this, Index = results.Count };
        results.Add(v);
        return v;
    }

    /// <summary>Makes operand <paramref name="index"/> read <paramref name="value"/>.</summary>
    public void SetOperand(int index, Value value)
    {
        CheckSameGraph(value);
        operands[index].RemoveUse(new Use(this, null, index));
        operands[index] = value;
        value.AddUse(new Use(this, null, index));
    }

    /// <summary>Appends an operand.</summary>
    public void AddOperand(Value value)
    {
        CheckSameGraph(value);
        value.AddUse(new Use(this, null, operands.Count));
        operands.Add(value);
    }

    /// <summary>Drops this node's reads of its operands and of values used inside its blocks (before removing it).</summary>
    internal void DropUses()
    {
        for (int i = 0; i < operands.Count; i++) operands[i].RemoveUse(new Use(this, null, i));
        foreach (var b in blocks) b.DropUses();
    }

    private void CheckSameGraph(Value value)
    {
        if (value.Graph != Graph)
            throw new ArgumentException($"{Name}: operand {value} belongs to graph @{value.Graph.Name}, not @{Graph.Name}");
    }

    /// <summary>Formats as <c>linear at mlp.cs:12:9</c> for messages.</summary>
    public override string ToString() => Span is null ? Name : $"{Name} at {Span}";
}
