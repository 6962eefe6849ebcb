namespace Kiln.IR;

/// <summary>
/// Copies nodes and blocks: whole graphs (a pass that must keep its input), or one block's nodes into
/// another block (inlining a callee, building a joint forward and backward graph). Values are mapped
/// through a table, so the copy reads the copied values, or outer values the caller maps.
/// </summary>
public static class GraphCloner
{
    /// <summary>A deep copy of <paramref name="graph"/>, optionally renamed; tensor constants' payloads are shared.</summary>
    public static Graph Clone(Graph graph, string? name = null)
    {
        var copy = new Graph(name ?? graph.Name);
        var map = new Dictionary<Value, Value>();
        foreach (var p in graph.Body.Params)
            map[p] = graph.IsParameter(p) ? copy.AddParameter(p.Name ?? "p", p.Type) : copy.AddInput(p.Name ?? "x", p.Type);
        copy.SetOutputs(CloneInto(graph.Body, copy.Body, map));
        return copy;
    }

    /// <summary>
    /// Appends copies of <paramref name="source"/>'s nodes to <paramref name="target"/> (or inserts them from
    /// position <paramref name="at"/>). Operands found in <paramref name="map"/> are replaced (map the source
    /// block's parameters before calling); others are read as they are, so they must belong to the target
    /// graph. Each copied result is added to the map. Returns the copies of what <paramref name="source"/> returns.
    /// </summary>
    public static IReadOnlyList<Value> CloneInto(Block source, Block target, IDictionary<Value, Value> map, int? at = null)
    {
        int position = at ?? target.Nodes.Count;
        foreach (var node in source.Nodes)
        {
            var copy = target.Graph.CreateNodeLike(node, node.Operands.Select(o => Map(map, o)), node.Results.Select(r => r.Type));
            copy.Span = node.Span;
            foreach (var block in node.Blocks)
            {
                var inner = copy.AddBlock();
                foreach (var p in block.Params) map[p] = inner.AddParam(p.Type, p.Name);
                inner.SetReturns(CloneInto(block, inner, map));
            }
            for (int i = 0; i < node.Results.Count; i++)
            {
                copy.Results[i].Name = node.Results[i].Name;
                map[node.Results[i]] = copy.Results[i];
            }
            target.Insert(position++, copy);
        }
        return [.. source.Returns.Select(r => Map(map, r))];
    }

    private static Value Map(IDictionary<Value, Value> map, Value v) => map.TryGetValue(v, out var m) ? m : v;
}
