using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Shape and dtype propagation (<c>shape-propagation</c>): after the types of a graph's inputs change
/// (<see cref="Specialize"/>, a frontend refining a signature), re-infers every node's result types from
/// its operands, in order: registry ops and primitives by their rules, an if's results from what its
/// branches return, a loop body's carried parameters from the initial carried values and the loop's
/// results from them. A loop-carried value must keep its type across iterations, since the IR has no
/// way to widen a type; a body that changes it is an error naming the loop and the values.
/// </summary>
public sealed class ShapePropagation : IGraphPass
{
    /// <inheritdoc/>
    public string Name => "shape-propagation";

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context) => Propagate(graph);

    /// <summary>Re-infers every type in <paramref name="graph"/>; returns whether one changed.</summary>
    /// <exception cref="IrException">A node's operands no longer fit it, or a region's types no longer agree; names the node and its span.</exception>
    public static bool Propagate(Graph graph) => Block(graph, graph.Body);

    private static bool Block(Graph graph, Block block)
    {
        bool changed = false;
        foreach (var node in block.Nodes)
        {
            switch (node.Kind)
            {
                case NodeKind.If:
                    foreach (var branch in node.Blocks) changed |= Block(graph, branch);
                    changed |= SetTypes(node, [.. node.Blocks[0].Returns.Select(r => r.Type)]);
                    CheckRegion(graph, node);
                    break;
                case NodeKind.Loop:
                    {
                        var body = node.Blocks[0];
                        var carried = node.Operands.Skip(2).Select(o => o.Type).ToArray();
                        for (int k = 0; k < carried.Length && k + 1 < body.Params.Count; k++) changed |= SetType(body.Params[k + 1], carried[k]);
                        changed |= Block(graph, body);
                        changed |= SetTypes(node, carried);
                        CheckRegion(graph, node);
                        break;
                    }
                default:
                    changed |= SetTypes(node, Infer(graph, node));
                    break;
            }
        }
        return changed;
    }

    private static IrType[] Infer(Graph graph, Node node)
    {
        // A list's declared type would pin its element type; only an empty list needs it.
        var declared = node.Results.Count == 1 && !(node.Kind == NodeKind.ListConstruct && node.Operands.Count > 0) ? node.Results[0].Type : null;
        try
        {
            var types = NodeTypes.Infer(node.Kind, node.Op, [.. node.Operands.Select(o => o.Type)], node.Attrs, node.Constant, declared, node.Prim, node.Callee);
            if (types.Length != node.Results.Count)
                throw new ArgumentException($"{node.Name}: gives {types.Length} result(s) for the new operand types, but the node has {node.Results.Count}");
            return types;
        }
        catch (ArgumentException e)
        {
            throw Error(graph, node, e.Message, e);
        }
    }

    private static void CheckRegion(Graph graph, Node node)
    {
        var errors = NodeTypes.RegionErrors(node);
        if (errors.Count > 0)
        {
            string hint = node.Kind == NodeKind.Loop
                ? " (a loop-carried value must keep its type from one iteration to the next; give the initial value a type the body preserves)"
                : " (both branches must return the same types)";
            throw Error(graph, node, string.Join("; ", errors) + hint, null);
        }
    }

    private static bool SetTypes(Node node, IReadOnlyList<IrType> types)
    {
        bool changed = false;
        for (int i = 0; i < Math.Min(types.Count, node.Results.Count); i++) changed |= SetType(node.Results[i], types[i]);
        return changed;
    }

    private static bool SetType(Value value, IrType type)
    {
        if (value.Type == type) return false;
        value.Type = type;
        return true;
    }

    private static IrException Error(Graph graph, Node node, string message, Exception? inner)
    {
        var error = IrError.About(node, node.Span, new ValueNamer(graph).Describe(node), node.Name, message);
        return inner is null ? new IrException([error]) : new IrException([error], inner);
    }
}
