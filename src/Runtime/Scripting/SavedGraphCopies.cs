using Kiln.IR;

namespace Kiln.Scripting;

/// <summary>
/// Copies of a script module's graph for a <c>.kiln</c> file: the graph renamed, and every graph it calls (the fused
/// kernels of an optimised module) renamed after it, so graphs made for several modes and signatures, whose callees
/// share names (<c>Net_fused_0</c>), become one module of distinct names, callees before callers.
/// </summary>
internal static class SavedGraphCopies
{
    /// <summary>
    /// Copies of <paramref name="graph"/>, named <paramref name="name"/>, and of the graphs it calls, named after it
    /// (<c>Net_fused_0</c> of <c>Net</c> becomes <c>&lt;name&gt;_fused_0</c>); callees first, the copy of the graph last.
    /// </summary>
    internal static IReadOnlyList<Graph> Of(Graph graph, string name)
    {
        var copies = new Dictionary<Graph, Graph>();
        foreach (var g in GraphModule.CalleesFirst([graph]))
        {
            var copy = GraphCloner.Clone(g, g == graph ? name : CalleeName(g.Name, graph.Name, name));
            foreach (var call in copy.AllNodes().Where(n => n.Callee is not null).ToList()) Repoint(call, copies[call.Callee!]);
            copies[g] = copy;
        }
        return [.. copies.Values];
    }

    /// <summary>A callee's new name: its caller's old name as prefix replaced by the new one, else the new one prefixed.</summary>
    private static string CalleeName(string callee, string oldCaller, string newCaller) =>
        callee.StartsWith(oldCaller + "_", StringComparison.Ordinal) ? newCaller + callee[oldCaller.Length..] : $"{newCaller}_{callee}";

    /// <summary>Replaces <paramref name="call"/> with a call of <paramref name="callee"/> on the same operands.</summary>
    private static void Repoint(Node call, Graph callee)
    {
        var block = call.Owner!;
        var copy = block.Graph.CreateCallNode(callee, call.Operands, call.Results.Select(r => r.Type));
        copy.Span = call.Span;
        block.Insert(block.IndexOf(call), copy);
        for (int i = 0; i < call.Results.Count; i++)
        {
            copy.Results[i].Name = call.Results[i].Name;
            call.Results[i].ReplaceAllUsesWith(copy.Results[i]);
        }
        block.Remove(call);
    }
}
