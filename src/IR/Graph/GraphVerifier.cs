namespace Kiln.IR;

/// <summary>
/// Checks a graph: SSA dominance (each value defined before use, in its block or an enclosing one), type
/// agreement (each node's result types are what its rule infers), region rules (if branches and loop
/// bodies match the node), and registry attributes (unknown ones rejected). Errors name the node as the
/// text form does (<c>%3 = linear</c>) and its source span.
/// </summary>
public static class GraphVerifier
{
    /// <summary>Every problem in <paramref name="graph"/> (empty when it is valid).</summary>
    public static IReadOnlyList<IrError> Check(Graph graph)
    {
        var walk = new Walk(new ValueNamer(graph));
        walk.Block(graph.Body, null);
        return walk.Errors;
    }

    /// <summary>Throws unless <paramref name="graph"/> is valid.</summary>
    /// <exception cref="IrException">The graph has problems; <see cref="IrException.Errors"/> lists them all.</exception>
    public static void Verify(Graph graph)
    {
        var errors = Check(graph);
        if (errors.Count > 0) throw new IrException(errors);
    }

    private sealed class Walk(ValueNamer names)
    {
        private readonly HashSet<Value> visible = [];

        public List<IrError> Errors { get; } = [];

        public void Block(Block block, Node? owner)
        {
            var defined = new List<Value>();
            foreach (var p in block.Params) Define(p, defined);
            foreach (var node in block.Nodes)
            {
                if (node.Owner != block)
                    Report(node, "the node is listed in a block that does not own it");
                for (int i = 0; i < node.Operands.Count; i++)
                {
                    if (!visible.Contains(node.Operands[i]))
                        Report(node, $"operand {i} ({names[node.Operands[i]]}) is not defined before this node in this block or an enclosing one");
                }
                foreach (var b in node.Blocks) Block(b, node);
                CheckTypes(node);
                foreach (var r in node.Results) Define(r, defined);
            }
            for (int i = 0; i < block.Returns.Count; i++)
            {
                if (!visible.Contains(block.Returns[i]))
                {
                    string where = owner is null ? "graph" : names.Describe(owner);
                    Errors.Add(new IrError(owner, owner?.Span, where, $"returned value {i} ({names[block.Returns[i]]}) is not defined in the block returning it or an enclosing one"));
                }
            }
            foreach (var v in defined) visible.Remove(v);
        }

        private void Define(Value v, List<Value> defined)
        {
            visible.Add(v);
            defined.Add(v);
        }

        private void CheckTypes(Node node)
        {
            if (node.Kind is NodeKind.If or NodeKind.Loop)
            {
                foreach (var e in NodeTypes.RegionErrors(node)) Report(node, e);
                return;
            }
            if (node.Blocks.Count > 0) Report(node, $"a {node.Name} node owns no blocks, but this one has {node.Blocks.Count}");
            IrType[] inferred;
            try
            {
                inferred = NodeTypes.Infer(node);
            }
            catch (ArgumentException e)
            {
                Report(node, e.Message);
                return;
            }
            if (inferred.Length != node.Results.Count)
            {
                Report(node, $"the node has {node.Results.Count} result(s) but {node.Name} gives {inferred.Length}");
                return;
            }
            for (int i = 0; i < inferred.Length; i++)
            {
                if (inferred[i] != node.Results[i].Type)
                    Report(node, $"result {i} ({names[node.Results[i]]}) is declared {node.Results[i].Type} but {node.Name} gives {inferred[i]}");
            }
        }

        private void Report(Node node, string message) => Errors.Add(IrError.About(node, node.Span, names.Describe(node), node.Name, message));
    }
}
