namespace Kiln.IR;

/// <summary>
/// A straight-line sequence of nodes with parameters and returned values: a graph's body, an if's branch,
/// a loop's body. Values defined in a block are visible in the blocks nested inside it, never outside.
/// </summary>
public sealed class Block
{
    private readonly List<Value> parameters = [];
    private readonly List<Node> nodes = [];
    private readonly List<Value> returns = [];

    internal Block(Graph graph, Node? owner)
    {
        Graph = graph;
        OwnerNode = owner;
    }

    /// <summary>The graph the block belongs to.</summary>
    public Graph Graph { get; }

    /// <summary>The if or loop node that owns the block, or null for the graph's body.</summary>
    public Node? OwnerNode { get; }

    /// <summary>The block's parameters (a loop body's iteration index and carried values; the graph's inputs).</summary>
    public IReadOnlyList<Value> Params => parameters;

    /// <summary>The nodes, in execution order.</summary>
    public IReadOnlyList<Node> Nodes => nodes;

    /// <summary>The values the block yields when it finishes.</summary>
    public IReadOnlyList<Value> Returns => returns;

    /// <summary>Adds a parameter of type <paramref name="type"/> and returns it.</summary>
    public Value AddParam(IrType type, string? name = null)
    {
        var v = new Value(Graph, type, name) { ParamOf = this, Index = parameters.Count };
        parameters.Add(v);
        return v;
    }

    /// <summary>Appends a detached node.</summary>
    public Node Append(Node node) => Insert(nodes.Count, node);

    /// <summary>Inserts a detached node at position <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentException">The node is already in a block or belongs to another graph.</exception>
    public Node Insert(int index, Node node)
    {
        if (node.Owner is not null)
            throw new ArgumentException($"{node} is already in a block; remove it first", nameof(node));
        if (node.Graph != Graph)
            throw new ArgumentException($"{node} belongs to graph @{node.Graph.Name}, not @{Graph.Name}", nameof(node));
        nodes.Insert(index, node);
        node.Owner = this;
        return node;
    }

    /// <summary>The position of <paramref name="node"/> in this block, or -1.</summary>
    public int IndexOf(Node node) => nodes.IndexOf(node);

    /// <summary>Removes a node whose results are no longer used, dropping its reads of other values.</summary>
    /// <exception cref="InvalidOperationException">A result is still used, or the node is not in this block.</exception>
    public void Remove(Node node)
    {
        if (node.Owner != this)
            throw new InvalidOperationException($"{node} is not in this block");
        var used = node.Results.FirstOrDefault(r => r.Uses.Count > 0);
        if (used is not null)
            throw new InvalidOperationException($"cannot remove {node}: its result {used} still has {used.Uses.Count} use(s)");
        node.DropUses();
        nodes.Remove(node);
        node.Owner = null;
    }

    /// <summary>Sets the values the block returns.</summary>
    public void SetReturns(IEnumerable<Value> values)
    {
        for (int i = 0; i < returns.Count; i++) returns[i].RemoveUse(new Use(null, this, i));
        returns.Clear();
        foreach (var v in values)
        {
            if (v.Graph != Graph)
                throw new ArgumentException($"return value {v} belongs to graph @{v.Graph.Name}, not @{Graph.Name}", nameof(values));
            v.AddUse(new Use(null, this, returns.Count));
            returns.Add(v);
        }
    }

    /// <summary>Replaces return <paramref name="index"/>.</summary>
    public void SetReturn(int index, Value value)
    {
        returns[index].RemoveUse(new Use(null, this, index));
        returns[index] = value;
        value.AddUse(new Use(null, this, index));
    }

    /// <summary>This block's nodes and those of every nested block, each node before the nodes inside it.</summary>
    public IEnumerable<Node> AllNodes()
    {
        foreach (var n in nodes)
        {
            yield return n;
            foreach (var b in n.Blocks)
            {
                foreach (var inner in b.AllNodes()) yield return inner;
            }
        }
    }

    internal void DropUses()
    {
        foreach (var n in nodes) n.DropUses();
        for (int i = 0; i < returns.Count; i++) returns[i].RemoveUse(new Use(null, this, i));
    }
}
