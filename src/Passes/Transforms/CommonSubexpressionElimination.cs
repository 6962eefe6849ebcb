using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Common-subexpression elimination (<c>cse</c>): a node that does what an earlier node does (same kind,
/// op or primitive, operands, attributes, constant and result types) is replaced by the earlier one. The
/// earlier node may be in the same block or an enclosing one (a scoped table: values of a branch are not
/// visible after it, nor in the other branch). Random ops, calls (whose callee may be random) and nodes
/// owning blocks are never merged. Inline constants compare by value, tensor constants by name and payload.
/// </summary>
public sealed class CommonSubexpressionElimination : IGraphPass
{
    /// <inheritdoc/>
    public string Name => "cse";

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context) => Visit(graph.Body, new Scopes());

    private static bool Visit(Block block, Scopes scopes)
    {
        bool changed = false;
        scopes.Push();
        foreach (var node in block.Nodes.ToArray())
        {
            foreach (var inner in node.Blocks) changed |= Visit(inner, scopes);
            if (!IsMergeable(node)) continue;
            var key = new NodeKey(node);
            if (scopes.Find(key) is { } earlier)
            {
                Rewriting.Replace(node, earlier.Results);
                changed = true;
            }
            else
            {
                scopes.Add(key, node);
            }
        }
        scopes.Pop();
        return changed;
    }

    private static bool IsMergeable(Node node) =>
        node.Blocks.Count == 0 && node.Kind != NodeKind.Call && node.Op is not { IsRandom: true };

    /// <summary>The nodes seen in the current block and its enclosing ones, innermost last.</summary>
    private sealed class Scopes
    {
        private readonly List<Dictionary<NodeKey, Node>> stack = [];

        public void Push() => stack.Add([]);

        public void Pop() => stack.RemoveAt(stack.Count - 1);

        public void Add(NodeKey key, Node node) => stack[^1].Add(key, node);

        public Node? Find(NodeKey key)
        {
            for (int i = stack.Count - 1; i >= 0; i--)
            {
                if (stack[i].TryGetValue(key, out var node)) return node;
            }
            return null;
        }
    }
}
