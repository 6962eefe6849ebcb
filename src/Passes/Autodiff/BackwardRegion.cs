using Kiln.IR;
using Kiln.IR.Autodiff;

namespace Kiln.Passes;

/// <summary>
/// The reverse-mode pass over one block's nodes (the graph's body, or an if branch or loop body copied
/// for the backward pass), adding the backward nodes to the end of the block it builds in. Nodes are
/// visited last to first; a node whose results received gradients applies its registry VJP rule, asking
/// only for the gradients of its active operands, and each operand's gradient is summed into what its
/// other uses gave. Nodes no gradient reaches are skipped: that is the dead-gradient pruning.
/// </summary>
internal sealed partial class BackwardRegion
{
    private readonly AutodiffScope scope;
    private readonly GraphBuilder builder;
    private readonly GraphVjpEmitter emitter;
    private readonly Dictionary<Value, Value> gradients = [];

    /// <summary>A region adding its backward nodes through <paramref name="builder"/>.</summary>
    public BackwardRegion(AutodiffScope scope, GraphBuilder builder)
    {
        this.scope = scope;
        this.builder = builder;
        emitter = new GraphVjpEmitter(builder);
    }

    /// <summary>Adds <paramref name="gradient"/> to the gradient of <paramref name="value"/> (ignored when the value is inactive).</summary>
    public void Accumulate(Value value, Value gradient)
    {
        if (!scope.Activity.IsActive(value)) return;
        var dtype = value.TensorType.DType;
        if (gradient.TensorType.DType != dtype) gradient = builder.Add("to", [gradient], new Attrs { { "dtype", dtype } });
        gradients[value] = gradients.TryGetValue(value, out var sum) ? builder.Add("add", [sum, gradient]) : gradient;
    }

    /// <summary>
    /// Backpropagates through <paramref name="nodes"/> (in the block built in, or read from it) and returns
    /// the gradients of <paramref name="targets"/>, null where none reached a target.
    /// </summary>
    /// <exception cref="IrException">A gradient must flow through a node that has no gradient (named with its span).</exception>
    public Value?[] Backward(IReadOnlyList<Node> nodes, IReadOnlyList<Value> targets)
    {
        var span = builder.Span;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            if (!node.Results.Any(gradients.ContainsKey)) continue;
            // The backward nodes of a node point at its source, as the forward node does.
            builder.Span = node.Span;
            switch (node.Kind)
            {
                case NodeKind.Op:
                    OpBackward(node);
                    break;
                case NodeKind.If:
                    IfBackward(node);
                    break;
                case NodeKind.Loop:
                    LoopBackward(node);
                    break;
                default:
                    throw scope.Error(node, $"a gradient must flow through this {node.Name} node, but gradients flow only through registry ops, if and loop; " +
                        "tuples, lists, primitives and calls on the differentiated path are not supported (run inline and canonicalize first)");
            }
        }
        builder.Span = span;
        return [.. targets.Select(t => gradients.GetValueOrDefault(t))];
    }

    /// <summary>Zeros of <paramref name="value"/>'s type: the gradient where none flows.</summary>
    private Value Zeros(Value value) => builder.Constant(DenseConstant.Splat(value.TensorType, 0));

    /// <summary>Applies the node's VJP rule and accumulates the gradients of its active operands.</summary>
    private void OpBackward(Node node)
    {
        var op = node.Op!;
        if (op.Gradient is null)
            throw scope.Error(node, $"{op.Name} has no gradient rule, but its result depends on a value differentiated with respect to and a gradient flows into it; " +
                "compute it from values that need no gradient, or leave it off the path to the outputs");
        CheckConcrete(node);
        // Optional inputs left off the end (linear's bias) are null to the rule, as in eager mode.
        int declared = op.IsVariadic ? node.Operands.Count : Math.Max(op.Inputs.Count, node.Operands.Count);
        var needs = new bool[declared];
        var inputs = new VjpValue?[declared];
        for (int i = 0; i < node.Operands.Count; i++)
        {
            needs[i] = scope.Activity.IsActive(node.Operands[i]);
            inputs[i] = emitter.Wrap(node.Operands[i]);
        }
        var context = new VjpContext(
            inputs,
            [.. node.Results.Select(emitter.Wrap)],
            node.Attrs,
            [.. node.Results.Select(r => gradients.TryGetValue(r, out var g) ? emitter.Wrap(g) : null)],
            needs);
        VjpValue?[] result;
        try
        {
            result = op.Gradient(context);
        }
        catch (Exception e) when (e is IrException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw scope.Error(node, $"the gradient rule of {op.Name} failed: {e.Message}", e);
        }
        if (result.Length != needs.Length)
            throw scope.Error(node, $"the gradient rule of {op.Name} returned {result.Length} gradients for {needs.Length} inputs");
        for (int i = 0; i < node.Operands.Count; i++)
        {
            if (!needs[i] || result[i] is not GraphVjpValue g) continue;
            var operand = node.Operands[i];
            if (!g.Value.TensorType.Shape.SequenceEqual(operand.TensorType.Shape))
                throw scope.Error(node, $"the gradient rule of {op.Name} returned type {g.Value.Type} for input {i} ({scope.Name(operand)}: {operand.Type})");
            Accumulate(operand, g.Value);
        }
    }

    /// <summary>
    /// Gradient rules compute sizes (a mean's 1/N, a broadcast's summed dims) from shapes, so every tensor
    /// the rule sees must have concrete dims; a symbol would need a size made up.
    /// </summary>
    private void CheckConcrete(Node node)
    {
        foreach (var v in node.Operands.Concat(node.Results))
        {
            if (v.Type is not TensorValueType { IsConcrete: false } type) continue;
            var symbols = type.Symbols.ToArray();
            throw scope.Error(node, symbols.Length > 0
                ? $"{scope.Name(v)} has type {type} with symbolic dims, but gradient rules need concrete sizes; specialize the graph first (specialize{{{string.Join(" ", symbols.Select(s => s + "=..."))}}})"
                : $"{scope.Name(v)} has type {type} with a data-dependent dim, but gradient rules need concrete sizes");
        }
    }
}
