namespace Kiln.IR;

/// <summary>
/// An SSA value: defined exactly once, either as a result of a <see cref="Node"/> or as a parameter of a
/// <see cref="Block"/> (graph inputs are the parameters of the graph's body), and read by its uses.
/// </summary>
public sealed class Value
{
    private readonly List<Use> uses = [];

    internal Value(Graph graph, IrType type, string? name)
    {
        Graph = graph;
        Id = graph.NextValueId();
        Type = type;
        Name = name;
    }

    /// <summary>The graph the value belongs to.</summary>
    public Graph Graph { get; }

    /// <summary>A number unique within the graph, dense from 0: executors and planners index arrays by it.</summary>
    public int Id { get; }

    /// <summary>The value's type. Passes that refine types (shape propagation) may set it.</summary>
    public IrType Type { get; set; }

    /// <summary>A readable name (the C# local or parameter it came from), or null; the printer makes names unique.</summary>
    public string? Name { get; set; }

    /// <summary>The node whose result this is, or null for a block parameter.</summary>
    public Node? Producer { get; internal set; }

    /// <summary>Which result of <see cref="Producer"/> this is, or which parameter of <see cref="ParamOf"/>.</summary>
    public int Index { get; internal set; }

    /// <summary>The block this value is a parameter of, or null for a node result.</summary>
    public Block? ParamOf { get; internal set; }

    /// <summary>The block in which the value is defined (its producer's block, or the block it is a parameter of).</summary>
    public Block? DefiningBlock => ParamOf ?? Producer?.Owner;

    /// <summary>Where the value is read: node operands and block returns.</summary>
    public IReadOnlyList<Use> Uses => uses;

    /// <summary>The type as a tensor type.</summary>
    /// <exception cref="InvalidOperationException">The value is not a tensor.</exception>
    public TensorValueType TensorType => Type as TensorValueType
        ?? throw new InvalidOperationException($"value {this} has type {Type}, not a tensor type");

    /// <summary>Makes every use of this value read <paramref name="replacement"/> instead.</summary>
    public void ReplaceAllUsesWith(Value replacement)
    {
        if (replacement == this) return;
        foreach (var use in uses.ToArray())
        {
            if (use.User is { } node) node.SetOperand(use.Index, replacement);
            else use.ReturnOf!.SetReturn(use.Index, replacement);
        }
    }

    internal void AddUse(Use use) => uses.Add(use);

    internal void RemoveUse(Use use) => uses.Remove(use);

    /// <summary>Formats as <c>%name#id: type</c> for debugging; the printer chooses the names in text.</summary>
    public override string ToString() => $"%{Name ?? "v"}#{Id}: {Type}";
}

/// <summary>One read of a value: operand <see cref="Index"/> of <see cref="User"/>, or return <see cref="Index"/> of <see cref="ReturnOf"/>.</summary>
/// <param name="User">The node reading the value as an operand, or null when a block returns it.</param>
/// <param name="ReturnOf">The block returning the value, or null when a node reads it.</param>
/// <param name="Index">The operand or return position.</param>
public readonly record struct Use(Node? User, Block? ReturnOf, int Index);
