using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Dead-code elimination (<c>dce</c>): removes nodes whose results nothing reads, in every block; drops
/// the unread results of ifs (with the values their branches return for them) and the loop-carried
/// values nothing reads after the loop that feed neither the loop's condition nor a carried value that
/// is read. Nothing in the IR has side effects, so random ops and loops go too when unread. The graph's
/// signature (inputs, parameters, outputs) never changes.
/// </summary>
public sealed class DeadCodeElimination : IGraphPass
{
    /// <inheritdoc/>
    public string Name => "dce";

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context)
    {
        bool changed = false;
        while (Sweep(graph.Body)) changed = true;
        return changed;
    }

    /// <summary>Removes <paramref name="block"/>'s dead nodes, last first (so chains go in one sweep), and sweeps the blocks of those that stay.</summary>
    private static bool Sweep(Block block)
    {
        bool changed = false;
        for (int i = block.Nodes.Count - 1; i >= 0; i--)
        {
            var node = block.Nodes[i];
            if (node.Results.All(r => r.Uses.Count == 0))
            {
                block.Remove(node);
                changed = true;
            }
            else if (node.Kind is NodeKind.If or NodeKind.Loop)
            {
                changed |= SweepRegion(node);
            }
        }
        return changed;
    }

    private static bool SweepRegion(Node node)
    {
        var kept = LiveResults(node);
        bool changed = kept.Count < node.Results.Count;
        if (changed)
        {
            // Stop returning the dropped values and sweep what computed them, so the dropped loop
            // parameters are unread; then rebuild the node without them.
            bool loop = node.Kind == NodeKind.Loop;
            foreach (var block in node.Blocks)
            {
                var returns = block.Returns;
                block.SetReturns(loop ? [returns[0], .. kept.Select(k => returns[k + 1])] : [.. kept.Select(k => returns[k])]);
                Sweep(block);
            }
            node = Rebuild(node, kept);
        }
        foreach (var block in node.Blocks) changed |= Sweep(block);
        return changed;
    }

    /// <summary>
    /// The results of an if or loop to keep: those read after it, and for a loop also the carried values
    /// that the condition or a kept carried value depends on (to a fixed point).
    /// </summary>
    private static List<int> LiveResults(Node node)
    {
        var live = node.Results.Select(r => r.Uses.Count > 0).ToArray();
        if (node.Kind == NodeKind.Loop)
        {
            var body = node.Blocks[0];
            for (bool grew = true; grew;)
            {
                var needed = Needed(body, [body.Returns[0], .. body.Returns.Skip(1).Where((_, k) => live[k])]);
                grew = false;
                for (int k = 0; k < live.Length; k++)
                {
                    if (!live[k] && needed.Contains(body.Params[k + 1])) live[k] = grew = true;
                }
            }
        }
        return [.. Enumerable.Range(0, live.Length).Where(k => live[k])];
    }

    /// <summary>
    /// The values <paramref name="roots"/> depend on within <paramref name="block"/>: a node's operands when
    /// one of its results is needed, and (conservatively) every value read inside its blocks.
    /// </summary>
    private static HashSet<Value> Needed(Block block, IEnumerable<Value> roots)
    {
        var needed = new HashSet<Value>(roots);
        for (int i = block.Nodes.Count - 1; i >= 0; i--)
        {
            var node = block.Nodes[i];
            if (!node.Results.Any(needed.Contains)) continue;
            needed.UnionWith(node.Operands);
            foreach (var inner in node.Blocks)
            {
                needed.UnionWith(inner.Returns);
                foreach (var n in inner.AllNodes()) needed.UnionWith(n.Operands);
            }
        }
        return needed;
    }

    /// <summary>
    /// Replaces an if or loop with a copy that has only results <paramref name="kept"/> (for a loop, only
    /// those carried values), its blocks' returns already cut down to them. Returns the copy.
    /// </summary>
    private static Node Rebuild(Node node, List<int> kept)
    {
        bool loop = node.Kind == NodeKind.Loop;
        var block = node.Owner!;
        IEnumerable<Value> operands = loop ? [node.Operands[0], node.Operands[1], .. kept.Select(k => node.Operands[k + 2])] : node.Operands;
        var copy = node.Graph.CreateNodeLike(node, operands, kept.Select(k => node.Results[k].Type));
        copy.Span = node.Span;
        var map = new Dictionary<Value, Value>();
        foreach (var old in node.Blocks)
        {
            var inner = copy.AddBlock();
            for (int p = 0; p < old.Params.Count; p++)
            {
                var param = old.Params[p];
                if (p == 0 || kept.Contains(p - 1)) map[param] = inner.AddParam(param.Type, param.Name);
                else if (param.Uses.Count > 0) throw new InvalidOperationException($"dce: dropped loop-carried value {param} is still read in the body");
            }
            inner.SetReturns(GraphCloner.CloneInto(old, inner, map));
        }
        block.Insert(block.IndexOf(node), copy);
        for (int j = 0; j < kept.Count; j++)
        {
            var result = node.Results[kept[j]];
            copy.Results[j].Name = result.Name;
            result.ReplaceAllUsesWith(copy.Results[j]);
        }
        block.Remove(node);
        return copy;
    }
}
