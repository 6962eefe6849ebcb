namespace Kiln.IR;

/// <summary>What one iteration of a loop body yields: the next carried values and, for while-style loops, whether to go on.</summary>
/// <param name="Carried">The carried values for the next iteration (same types as the initial ones).</param>
/// <param name="Continue">The condition to go on (bool or a 0-d bool tensor); null means always (a for loop).</param>
public sealed record LoopStep(IReadOnlyList<Value> Carried, Value? Continue = null);

/// <summary>
/// Appends nodes to a block, inferring every result type from the op registry (with symbolic dims), so a
/// graph built through it verifies. Nodes get the builder's current <see cref="Span"/>. Errors are
/// <see cref="IrException"/>s naming the op and the span.
/// </summary>
public sealed class GraphBuilder
{
    // Where the next node goes in the block; null appends.
    private int? position;

    /// <summary>A builder that appends to <paramref name="graph"/>'s body.</summary>
    public GraphBuilder(Graph graph)
        : this(graph.Body)
    {
    }

    /// <summary>A builder that appends to <paramref name="block"/>.</summary>
    public GraphBuilder(Block block)
    {
        Block = block;
        Graph = block.Graph;
    }

    /// <summary>
    /// A builder that inserts before <paramref name="anchor"/> (a pass rewriting one node), keeping the
    /// anchor's source span for the nodes it adds.
    /// </summary>
    /// <exception cref="ArgumentException">The anchor is not in a block.</exception>
    public static GraphBuilder Before(Node anchor)
    {
        var block = anchor.Owner ?? throw new ArgumentException($"{anchor} is not in a block", nameof(anchor));
        return new GraphBuilder(block) { Span = anchor.Span, position = block.IndexOf(anchor) };
    }

    /// <summary>The graph being built.</summary>
    public Graph Graph { get; }

    /// <summary>The block nodes are appended to.</summary>
    public Block Block { get; }

    /// <summary>The source span given to each new node (the frontend sets it per statement), or null.</summary>
    public SourceSpan? Span { get; set; }

    /// <summary>Applies registered op <paramref name="op"/>; its only result.</summary>
    /// <exception cref="IrException">Unknown op, wrong inputs or attributes, or a result that is not a single value.</exception>
    public Value Add(string op, IReadOnlyList<Value> inputs, Attrs? attrs = null)
    {
        var results = AddMulti(op, inputs, attrs);
        if (results.Length == 1) return results[0];
        Block.Remove(results[0].Producer!);
        if (position is int p) position = p - 1;
        throw Error(op, $"has {results.Length} results; use {nameof(AddMulti)}");
    }

    /// <summary>Applies registered op <paramref name="op"/>; all its results.</summary>
    /// <exception cref="IrException">Unknown op, or wrong inputs or attributes.</exception>
    public Value[] AddMulti(string op, IReadOnlyList<Value> inputs, Attrs? attrs = null) =>
        AddMulti(OpRegistry.Find(op) ?? throw Error(op, $"no op named '{op}' is registered"), inputs, attrs);

    /// <summary>Applies <paramref name="op"/>; all its results.</summary>
    /// <exception cref="IrException">Wrong inputs or attributes.</exception>
    public Value[] AddMulti(OpDef op, IReadOnlyList<Value> inputs, Attrs? attrs = null) =>
        [.. Append(NodeKind.Op, op, inputs, attrs ?? [], null, null).Results];

    /// <summary>An <c>int</c> constant.</summary>
    public Value Constant(long value) => Append(NodeKind.Constant, null, [], [], value, null).Result;

    /// <summary>A <c>float</c> constant.</summary>
    public Value Constant(double value) => Append(NodeKind.Constant, null, [], [], value, null).Result;

    /// <summary>A <c>bool</c> constant.</summary>
    public Value Constant(bool value) => Append(NodeKind.Constant, null, [], [], value, null).Result;

    /// <summary>A tensor constant, held by reference.</summary>
    public Value Constant(TensorConstant value, string? name = null)
    {
        var v = Append(NodeKind.Constant, null, [], [], value, null).Result;
        v.Name = name;
        return v;
    }

    /// <summary>An inline tensor constant (a splat may have symbolic dims: zeros shaped like a batch).</summary>
    public Value Constant(DenseConstant value) => Append(NodeKind.Constant, null, [], [], value, null).Result;

    /// <summary>A none of type <c>optional&lt;<paramref name="inner"/>&gt;</c>.</summary>
    public Value None(IrType inner) => Append(NodeKind.Constant, null, [], [], null, new OptionalType(inner)).Result;

    /// <summary>A tuple of <paramref name="elements"/>.</summary>
    public Value Tuple(params Value[] elements) => Append(NodeKind.TupleConstruct, null, elements, [], null, null).Result;

    /// <summary>Element <paramref name="index"/> of a tuple.</summary>
    public Value TupleGet(Value tuple, int index) =>
        Append(NodeKind.TupleGet, null, [tuple], new Attrs { { "index", index } }, null, null).Result;

    /// <summary>A list of <paramref name="elements"/>, which all have type <paramref name="element"/>.</summary>
    public Value List(IrType element, params Value[] elements) =>
        Append(NodeKind.ListConstruct, null, elements, [], null, new ListType(element)).Result;

    /// <summary>The element of <paramref name="list"/> at <paramref name="index"/> (an int).</summary>
    public Value ListGet(Value list, Value index) => Append(NodeKind.ListGet, null, [list, index], [], null, null).Result;

    /// <summary>
    /// A structured if: <paramref name="then"/> and <paramref name="otherwise"/> build their branches with
    /// builders of their own and return values of the same types, which become the results.
    /// </summary>
    /// <exception cref="IrException">The condition is not a bool, or the branches return different types.</exception>
    public Value[] If(Value condition, Func<GraphBuilder, IReadOnlyList<Value>> then, Func<GraphBuilder, IReadOnlyList<Value>> otherwise)
    {
        var node = Graph.CreateNode(NodeKind.If, null, [condition], [], []);
        node.Span = Span;
        var thenBlock = node.AddBlock();
        thenBlock.SetReturns(then(Nested(thenBlock)));
        var elseBlock = node.AddBlock();
        elseBlock.SetReturns(otherwise(Nested(elseBlock)));
        return Finish(node, thenBlock.Returns.Select(r => r.Type));
    }

    /// <summary>
    /// A structured loop running at most <paramref name="tripCount"/> times (an int) while its condition
    /// holds. <paramref name="body"/> gets a builder, the iteration index and the carried values, and returns
    /// the next carried values (and optionally the condition). The results are the final carried values.
    /// </summary>
    /// <exception cref="IrException">The trip count or condition has the wrong type, or the carried types change.</exception>
    public Value[] Loop(Value tripCount, IReadOnlyList<Value> carried, Func<GraphBuilder, Value, IReadOnlyList<Value>, LoopStep> body, Value? condition = null)
    {
        condition ??= Constant(true);
        var node = Graph.CreateNode(NodeKind.Loop, null, [tripCount, condition, .. carried], [], []);
        node.Span = Span;
        var block = node.AddBlock();
        var index = block.AddParam(ScalarType.Int, "i");
        var parameters = carried.Select(c => block.AddParam(c.Type, c.Name)).ToArray();
        var inner = Nested(block);
        var step = body(inner, index, parameters);
        block.SetReturns([step.Continue ?? inner.Constant(true), .. step.Carried]);
        return Finish(node, carried.Select(c => c.Type));
    }

    /// <summary>Applies IR primitive <paramref name="prim"/> (see <see cref="Prims"/>); its only result.</summary>
    /// <exception cref="IrException">Unknown primitive, or wrong operands or attributes.</exception>
    public Value Prim(string prim, IReadOnlyList<Value> operands, Attrs? attrs = null)
    {
        var def = Prims.Find(prim) ?? throw Error(prim, $"no primitive named '{prim}' (see {nameof(Prims)})");
        return Append(NodeKind.Prim, null, operands, attrs ?? [], null, null, def).Result;
    }

    /// <summary>Calls <paramref name="callee"/> (a helper or submodule graph) with its inputs and parameters; its outputs.</summary>
    /// <exception cref="IrException">The operands do not match the callee's parameters.</exception>
    public Value[] Call(Graph callee, IReadOnlyList<Value> operands) =>
        [.. Append(NodeKind.Call, null, operands, [], null, null, callee: callee).Results];

    /// <summary>Sets the values this builder's block returns (the graph's outputs for the body).</summary>
    public void Return(params Value[] values) => Block.SetReturns(values);

    /// <summary>A builder for another block of the same graph, with the same span.</summary>
    public GraphBuilder Nested(Block block) => new(block) { Span = Span };

    private Value[] Finish(Node node, IEnumerable<IrType> resultTypes)
    {
        foreach (var t in resultTypes) node.AddResult(t);
        var errors = NodeTypes.RegionErrors(node);
        if (errors.Count > 0)
        {
            node.DropUses();
            throw new IrException([.. errors.Select(e => new IrError(null, Span, node.Name, e))]);
        }
        Place(node);
        return [.. node.Results];
    }

    private Node Append(NodeKind kind, OpDef? op, IReadOnlyList<Value> operands, Attrs attrs, object? constant, IrType? declared, PrimDef? prim = null, Graph? callee = null)
    {
        string name = op?.Name ?? prim?.Name ?? NodeKinds.Keyword(kind);
        IrType[] types;
        try
        {
            types = NodeTypes.Infer(kind, op, [.. operands.Select(o => o.Type)], attrs, constant, declared, prim, callee);
        }
        catch (ArgumentException e)
        {
            throw new IrException([IrError.About(null, Span, name, name, e.Message)], e);
        }
        var node = kind switch
        {
            NodeKind.Prim => Graph.CreatePrimNode(prim!, operands, attrs, types),
            NodeKind.Call => Graph.CreateCallNode(callee!, operands, types),
            _ => Graph.CreateNode(kind, op, operands, attrs, types, constant),
        };
        node.Span = Span;
        return Place(node);
    }

    private Node Place(Node node)
    {
        if (position is not int p) return Block.Append(node);
        position = p + 1;
        return Block.Insert(p, node);
    }

    private IrException Error(string op, string message) => new([IrError.About(null, Span, op, op, message)]);
}
