using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// What every region of one autodiff run shares: the activity analysis, and where each cloned node and
/// value came from, so that errors name the node of the input graph (as its text names it) and its span
/// even when the problem is found in a branch or loop body recomputed for the backward pass.
/// </summary>
internal sealed class AutodiffScope(Graph graph)
{
    private readonly ValueNamer names = new(graph);
    private readonly Dictionary<Node, Node> nodeOrigins = [];
    private readonly Dictionary<Value, Value> valueOrigins = [];

    /// <summary>Which values depend on the values differentiated with respect to.</summary>
    public Activity Activity { get; } = new();

    /// <summary>
    /// Records that <paramref name="copies"/> are the copies of <paramref name="original"/>'s nodes, made with
    /// <paramref name="map"/> (original value to copy).
    /// </summary>
    public void RecordClone(Block original, IReadOnlyList<Node> copies, IDictionary<Value, Value> map)
    {
        foreach (var (from, to) in map) valueOrigins.TryAdd(to, from);
        RecordNodes(original, copies);
    }

    /// <summary>How messages name <paramref name="value"/>: its name in the input graph's text.</summary>
    public string Name(Value value) => names[Origin(valueOrigins, value)];

    /// <summary>An error about <paramref name="node"/> (located at the node of the input graph it was copied from).</summary>
    public IrException Error(Node node, string message, Exception? inner = null)
    {
        var original = Origin(nodeOrigins, node);
        return new IrException([IrError.About(original, original.Span, names.Describe(original), original.Name, "autodiff: " + message)], inner);
    }

    private void RecordNodes(Block original, IReadOnlyList<Node> copies)
    {
        for (int i = 0; i < copies.Count; i++)
        {
            nodeOrigins.TryAdd(copies[i], original.Nodes[i]);
            for (int b = 0; b < copies[i].Blocks.Count; b++)
                RecordNodes(original.Nodes[i].Blocks[b], copies[i].Blocks[b].Nodes);
        }
    }

    /// <summary>Follows copies back to the input graph (a loop body copied from a copied branch, say).</summary>
    private static T Origin<T>(Dictionary<T, T> origins, T item)
        where T : notnull
    {
        while (origins.TryGetValue(item, out var from)) item = from;
        return item;
    }
}
