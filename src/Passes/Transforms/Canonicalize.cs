using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Canonicalisation and constant folding (<c>canonicalize</c>), repeated until nothing changes, in every
/// block: registry ops whose inputs are all inline constants are folded by the runtime's
/// <see cref="PassContext.Evaluator"/> (never random ops, nor results over
/// <see cref="MaxFoldedElements"/> elements); primitives with an evaluator fold on constant scalars,
/// <c>tensor_size</c> and <c>tensor_numel</c> on constant dims, <c>list_len</c> of a list built in place;
/// the <see cref="AlgebraicIdentities"/> apply; an if on a constant condition becomes its branch; a loop
/// that runs no iteration (constant trip count 0 or false condition) becomes its initial carried values;
/// <c>tuple_get</c> of a tuple and <c>list_get</c> of a list at a constant index become the element.
/// Nodes a rewrite leaves unread are removed.
/// </summary>
public sealed class Canonicalize : IGraphPass
{
    /// <summary>The largest result, in elements, that constant folding writes into the graph.</summary>
    public const int MaxFoldedElements = 4096;

    /// <inheritdoc/>
    public string Name => "canonicalize";

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context)
    {
        bool changed = false;
        while (Visit(graph.Body, context)) changed = true;
        return changed;
    }

    private static bool Visit(Block block, PassContext context)
    {
        bool changed = false;
        foreach (var node in block.Nodes.ToArray())
        {
            // An earlier rewrite may have removed the node (an operand of a folded node).
            if (node.Owner != block) continue;
            foreach (var inner in node.Blocks) changed |= Visit(inner, context);
            changed |= node.Kind switch
            {
                NodeKind.Op => AlgebraicIdentities.TryApply(node) || FoldOp(node, context),
                NodeKind.Prim => FoldPrim(node, context),
                NodeKind.If => FoldIf(node),
                NodeKind.Loop => FoldLoop(node),
                NodeKind.TupleGet => ReplaceWith(node, node.Operands[0].Producer is { Kind: NodeKind.TupleConstruct } tuple
                    ? tuple.Operands[(int)node.Attrs.GetLong("index", 0)] : null),
                NodeKind.ListGet => ReplaceWith(node, ListElement(node)),
                _ => false,
            };
        }
        return changed;
    }

    /// <summary>Folds a registry op whose inputs are all inline constants of concrete shape, with the runtime's evaluator.</summary>
    private static bool FoldOp(Node node, PassContext context)
    {
        var op = node.Op!;
        if (context.Evaluator is not { } evaluate || op.IsRandom) return false;
        var inputs = node.Operands.Select(ConstantPayloads.Dense).ToArray();
        if (inputs.Any(i => i is null || !i.Type.IsConcrete)) return false;
        if (!node.Results.All(r => r.Type is TensorValueType { IsConcrete: true } t && Numel(t) <= MaxFoldedElements)) return false;
        DenseConstant[]? folded;
        try
        {
            folded = evaluate(op, inputs!, node.Attrs);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
        {
            // The op fails on these constants; it fails the same way at run time, if it runs at all.
            context.Log?.WriteLine($"canonicalize: not folding {node}: {e.Message}");
            return false;
        }
        if (folded is null) return false;
        var types = node.Results.Select(r => r.Type).ToArray();
        if (folded.Length != types.Length || !folded.Select(f => (IrType)f.Type).SequenceEqual(types))
            throw new InvalidOperationException(
                $"canonicalize: the constant evaluator folded {node} to ({string.Join(", ", folded.Select(f => f.Type))}) but its results are ({string.Join(", ", types.AsEnumerable())})");
        var builder = GraphBuilder.Before(node);
        return ReplaceWithConstants(node, [.. folded.Select(builder.Constant)]);
    }

    /// <summary>Folds a primitive: an evaluator on constant scalars, or a tensor size or list length known from types and structure.</summary>
    private static bool FoldPrim(Node node, PassContext context)
    {
        var builder = GraphBuilder.Before(node);
        switch (node.Prim!.Name)
        {
            case "tensor_size":
                {
                    var shape = node.Operands[0].TensorType.Shape;
                    long dim = node.Attrs.GetLong("dim", 0);
                    var size = shape[(int)(dim < 0 ? dim + shape.Count : dim)];
                    return size.IsConstant && ReplaceWithConstants(node, [builder.Constant(size.Size)]);
                }
            case "tensor_numel":
                {
                    var t = node.Operands[0].TensorType;
                    return t.IsConcrete && ReplaceWithConstants(node, [builder.Constant(Numel(t))]);
                }
            case "list_len" when node.Operands[0].Producer is { Kind: NodeKind.ListConstruct } list:
                return ReplaceWithConstants(node, [builder.Constant((long)list.Operands.Count)]);
        }
        if (node.Prim.Evaluate is not { } evaluate || !node.Results.All(r => r.Type is ScalarType)) return false;
        var operands = node.Operands.Select(ConstantPayloads.ScalarPayload).ToArray();
        if (operands.Any(o => o is null)) return false;
        object?[] results;
        try
        {
            results = evaluate(operands, node.Attrs);
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException)
        {
            context.Log?.WriteLine($"canonicalize: not folding {node}: {e.Message}");
            return false;
        }
        return ReplaceWithConstants(node, [.. results.Select(r => r switch
        {
            long l => builder.Constant(l),
            double d => builder.Constant(d),
            bool b => builder.Constant(b),
            _ => throw new InvalidOperationException($"canonicalize: primitive {node} evaluated to {r ?? "none"}, not a scalar"),
        })]);
    }

    /// <summary>An if on a constant condition: the chosen branch's nodes, copied before the if, replace it.</summary>
    private static bool FoldIf(Node node)
    {
        if (ConstantPayloads.Bool(node.Operands[0]) is not { } condition) return false;
        var block = node.Owner!;
        var map = new Dictionary<Value, Value>();
        var returned = GraphCloner.CloneInto(node.Blocks[condition ? 0 : 1], block, map, block.IndexOf(node));
        var copies = map.Values.ToHashSet();
        for (int i = 0; i < returned.Count; i++)
        {
            // The if's result names say more than the branch's names for the same values.
            if (node.Results[i].Name is { } name && copies.Contains(returned[i])) returned[i].Name = name;
        }
        return Replace(node, returned);
    }

    /// <summary>A loop that runs no iteration: its results are its initial carried values.</summary>
    private static bool FoldLoop(Node node)
    {
        bool never = ConstantPayloads.Int(node.Operands[0]) <= 0 || ConstantPayloads.Bool(node.Operands[1]) == false;
        return never && Replace(node, [.. node.Operands.Skip(2)]);
    }

    /// <summary>The element a <c>list_get</c> reads from a list built in place at a constant index in range, or null.</summary>
    private static Value? ListElement(Node node) =>
        node.Operands[0].Producer is { Kind: NodeKind.ListConstruct } list
        && ConstantPayloads.Int(node.Operands[1]) is long index && index >= 0 && index < list.Operands.Count
            ? list.Operands[(int)index] : null;

    private static bool ReplaceWith(Node node, Value? value) => value is not null && Replace(node, [value]);

    private static bool Replace(Node node, IReadOnlyList<Value> values)
    {
        Rewriting.Replace(node, values);
        return true;
    }

    /// <summary>Replaces <paramref name="node"/>'s results with new constants, which take the results' names.</summary>
    private static bool ReplaceWithConstants(Node node, IReadOnlyList<Value> constants)
    {
        for (int i = 0; i < constants.Count; i++) constants[i].Name = node.Results[i].Name;
        return Replace(node, constants);
    }

    private static long Numel(TensorValueType type) => type.Shape.Aggregate(1L, (n, d) => n * d.Size);
}
