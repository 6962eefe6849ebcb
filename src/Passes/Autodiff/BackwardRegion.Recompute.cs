using Kiln.IR;

namespace Kiln.Passes;

/// <summary>What the backward of an if and of a loop share: they recompute a block, and send gradients to the outer values it reads.</summary>
internal sealed partial class BackwardRegion
{
    /// <summary>
    /// The active tensors defined outside <paramref name="node"/> that its blocks read (as operands, at any
    /// depth, or as returns), in order of first use: where an if's or loop's backward sends gradients.
    /// </summary>
    private List<Value> OuterActiveValues(Node node)
    {
        var found = new List<Value>();
        var seen = new HashSet<Value>();
        void Consider(Value v)
        {
            if (seen.Add(v) && v.Type is TensorValueType && scope.Activity.IsActive(v) && !IsInside(v, node)) found.Add(v);
        }
        foreach (var block in node.Blocks)
        {
            foreach (var inner in block.AllNodes())
            {
                foreach (var operand in inner.Operands) Consider(operand);
                foreach (var b in inner.Blocks)
                {
                    foreach (var r in b.Returns) Consider(r);
                }
            }
            foreach (var r in block.Returns) Consider(r);
        }
        return found;
    }

    /// <summary>Whether <paramref name="value"/> is defined in one of <paramref name="node"/>'s blocks, at any depth.</summary>
    private static bool IsInside(Value value, Node node)
    {
        for (var block = value.DefiningBlock; block?.OwnerNode is { } owner; block = owner.Owner)
        {
            if (owner == node) return true;
        }
        return false;
    }

    /// <summary>
    /// The backward recomputes an if branch or loop body, which would draw different random numbers than the
    /// forward did: such regions must take their random values from outside.
    /// </summary>
    private void CheckRecomputable(Node node)
    {
        var random = node.Blocks.SelectMany(b => b.AllNodes()).FirstOrDefault(n => n.Op?.IsRandom == true);
        if (random is not null)
            throw scope.Error(random, $"this random op is inside a {node.Name} that the backward pass recomputes, which would draw different numbers; draw them before the {node.Name} and pass them in");
    }

    /// <summary>Removes the nodes of <paramref name="node"/>'s blocks whose results nothing uses (recomputed values no rule read).</summary>
    private static void PruneBlocks(Node node)
    {
        foreach (var block in node.Blocks) Prune(block, _ => false);
    }

    /// <summary>Removes, last to first, the nodes of <paramref name="block"/> not kept by <paramref name="keep"/> whose results are unused.</summary>
    public static void Prune(Block block, Func<Node, bool> keep)
    {
        for (int i = block.Nodes.Count - 1; i >= 0; i--)
        {
            var node = block.Nodes[i];
            if (!keep(node) && node.Results.All(r => r.Uses.Count == 0)) block.Remove(node);
        }
    }
}
