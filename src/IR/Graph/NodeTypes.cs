namespace Kiln.IR;

/// <summary>
/// The typing rules of nodes, shared by <see cref="GraphBuilder"/> (to infer result types) and
/// <see cref="GraphVerifier"/> (to check them): registry ops through <see cref="SymbolicInference"/>,
/// and the structural kinds' own rules. If and loop results follow from their blocks (see
/// <see cref="RegionErrors"/>).
/// </summary>
public static class NodeTypes
{
    /// <summary>Whether a value of type <paramref name="type"/> can be a condition: <c>bool</c> or a 0-d bool tensor.</summary>
    public static bool IsCondition(IrType type) =>
        type == ScalarType.Bool || type is TensorValueType { DType: DType.Bool, Rank: 0 };

    /// <summary>Whether a value of type <paramref name="type"/> can be a trip count: <c>int</c> or a 0-d integer tensor.</summary>
    public static bool IsCount(IrType type) =>
        type == ScalarType.Int || type is TensorValueType { Rank: 0 } t && t.DType.IsIntegral();

    /// <summary>The type of a constant node's payload, or null for none (whose type the node declares).</summary>
    /// <exception cref="ArgumentException">The payload is not a constant the IR holds.</exception>
    public static IrType? ConstantType(object? payload) => payload switch
    {
        null => null,
        long => ScalarType.Int,
        double => ScalarType.Float,
        bool => ScalarType.Bool,
        TensorConstant t => TensorValueType.FromConcrete(t.Type),
        DenseConstant d => d.Type,
        _ => throw new ArgumentException($"constant: payloads of type {payload.GetType().Name} are not supported (use long, double, bool, TensorConstant, DenseConstant or null)"),
    };

    /// <summary>
    /// The result types <paramref name="node"/> (not an if or a loop) has for its operands' current types:
    /// what the verifier checks and shape propagation sets.
    /// </summary>
    /// <exception cref="ArgumentException">The operands, attributes or payload do not fit the node; the message names it.</exception>
    public static IrType[] Infer(Node node) =>
        Infer(node.Kind, node.Op, [.. node.Operands.Select(o => o.Type)], node.Attrs, node.Constant,
            node.Results.Count == 1 ? node.Results[0].Type : null, node.Prim, node.Callee);

    /// <summary>
    /// The result types of a node that is not an if or a loop. For a none constant the
    /// <paramref name="declared"/> type (which must be optional) is returned; an empty list uses it for its
    /// element type. A prim node names its <paramref name="prim"/>, a call its <paramref name="callee"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The operands, attributes or payload do not fit the node; the message names the op.</exception>
    public static IrType[] Infer(NodeKind kind, OpDef? op, IReadOnlyList<IrType> operands, Attrs attrs, object? constant, IrType? declared = null, PrimDef? prim = null, Graph? callee = null)
    {
        switch (kind)
        {
            case NodeKind.Prim:
                {
                    var def = prim ?? throw new ArgumentException("a prim node needs a PrimDef");
                    def.ValidateAttributes(attrs);
                    return def.InferTypes(operands, attrs);
                }
            case NodeKind.Call:
                return CallTypes(callee ?? throw new ArgumentException("a call node needs its callee"), operands);
            case NodeKind.Op:
                {
                    var def = op ?? throw new ArgumentException("an op node needs an OpDef");
                    def.CheckInputCount(operands.Count);
                    def.ValidateAttributes(attrs);
                    var tensors = new TensorValueType[operands.Count];
                    for (int i = 0; i < operands.Count; i++)
                    {
                        tensors[i] = operands[i] as TensorValueType
                            ?? throw new ArgumentException($"{def.Name}: input {i} ({InputName(def, i)}) has type {operands[i]}; registry ops take tensors (scalars are attributes)");
                    }
                    return SymbolicInference.Infer(def, tensors, attrs);
                }
            case NodeKind.Constant:
                Arity("constant", 0, operands);
                if (ConstantType(constant) is { } t) return [t];
                return declared is OptionalType ? [declared]
                    : throw new ArgumentException($"constant: a none constant must have an optional type, not {declared?.ToString() ?? "no type"}");
            case NodeKind.TupleConstruct:
                return [new TupleType(operands)];
            case NodeKind.TupleGet:
                {
                    Arity("tuple_get", 1, operands);
                    var tuple = operands[0] as TupleType ?? throw new ArgumentException($"tuple_get: operand has type {operands[0]}, not a tuple");
                    long index = attrs.GetLong("index", -1);
                    if (!attrs.Contains("index") || index < 0 || index >= tuple.Elements.Count)
                        throw new ArgumentException($"tuple_get: attribute 'index' must be in [0, {tuple.Elements.Count - 1}] for {tuple}, got {attrs["index"] ?? "none"}");
                    return [tuple.Elements[(int)index]];
                }
            case NodeKind.ListConstruct:
                {
                    var element = declared is ListType l ? l.Element
                        : operands.Count > 0 ? operands[0]
                        : throw new ArgumentException("list: an empty list needs its declared type");
                    int bad = operands.ToList().FindIndex(t => t != element);
                    if (bad >= 0)
                        throw new ArgumentException($"list: element {bad} has type {operands[bad]}, but the list holds {element}");
                    return [new ListType(element)];
                }
            case NodeKind.ListGet:
                Arity("list_get", 2, operands);
                if (operands[0] is not ListType list) throw new ArgumentException($"list_get: operand 0 has type {operands[0]}, not a list");
                if (!IsCount(operands[1])) throw new ArgumentException($"list_get: the index has type {operands[1]}, not int");
                return [list.Element];
            default:
                throw new ArgumentException($"{NodeKinds.Keyword(kind)}: result types follow from its blocks");
        }
    }

    /// <summary>
    /// What is wrong with an if or loop node's operands, blocks and results (empty when nothing): an if's
    /// condition and two branches returning the result types; a loop's trip count, condition, body
    /// parameters (index and carried values) and returns (condition and carried values).
    /// </summary>
    public static IReadOnlyList<string> RegionErrors(Node node)
    {
        var errors = new List<string>();
        var results = node.Results.Select(r => r.Type).ToArray();
        if (node.Kind == NodeKind.If)
        {
            if (node.Operands.Count != 1) errors.Add($"expected 1 operand (the condition), got {node.Operands.Count}");
            else if (!IsCondition(node.Operands[0].Type)) errors.Add($"the condition has type {node.Operands[0].Type}; expected bool or a 0-d bool tensor (bool[])");
            if (node.Blocks.Count != 2) return [.. errors, $"expected 2 blocks (then, else), got {node.Blocks.Count}"];
            foreach (var (block, label) in node.Blocks.Zip(NodeKinds.BlockLabels(NodeKind.If)))
            {
                if (block.Params.Count != 0) errors.Add($"the {label} block takes no parameters, got {block.Params.Count}");
                CompareTypes(errors, $"the {label} block returns", block.Returns.Select(r => r.Type).ToArray(), "the if's results are", results);
            }
        }
        else if (node.Kind == NodeKind.Loop)
        {
            if (node.Operands.Count < 2) return [$"expected at least 2 operands (trip count, condition, carried values...), got {node.Operands.Count}"];
            if (!IsCount(node.Operands[0].Type)) errors.Add($"the trip count has type {node.Operands[0].Type}; expected int");
            if (!IsCondition(node.Operands[1].Type)) errors.Add($"the initial condition has type {node.Operands[1].Type}; expected bool or a 0-d bool tensor (bool[])");
            var carried = node.Operands.Skip(2).Select(o => o.Type).ToArray();
            CompareTypes(errors, "the loop's results are", results, "its initial carried values are", carried);
            if (node.Blocks.Count != 1) return [.. errors, $"expected 1 block (body), got {node.Blocks.Count}"];
            var body = node.Blocks[0];
            if (body.Params.Count == 0 || body.Params[0].Type != ScalarType.Int)
                errors.Add("the body's first parameter must be the iteration index, of type int");
            else
                CompareTypes(errors, "the body's carried parameters are", body.Params.Skip(1).Select(p => p.Type).ToArray(), "the initial carried values are", carried);
            if (body.Returns.Count == 0 || !IsCondition(body.Returns[0].Type))
                errors.Add("the body must first return the condition to go on (bool or a 0-d bool tensor)");
            else
                CompareTypes(errors, "the body returns carried values", body.Returns.Skip(1).Select(r => r.Type).ToArray(), "the carried values are", carried);
        }
        return errors;
    }

    private static IrType[] CallTypes(Graph callee, IReadOnlyList<IrType> operands)
    {
        var expected = callee.Body.Params;
        if (operands.Count != expected.Count)
            throw new ArgumentException($"call: @{callee.Name} takes {expected.Count} operand(s) (its inputs and parameters), got {operands.Count}");
        for (int i = 0; i < operands.Count; i++)
        {
            if (operands[i] != expected[i].Type)
                throw new ArgumentException($"call: operand {i} has type {operands[i]} but @{callee.Name}'s {(callee.IsParameter(expected[i]) ? "parameter" : "input")} %{expected[i].Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)} is {expected[i].Type}");
        }
        return [.. callee.Outputs.Select(o => o.Type)];
    }

    private static void CompareTypes(List<string> errors, string what, IrType[] actual, string against, IrType[] expected)
    {
        if (!actual.SequenceEqual(expected))
            errors.Add($"{what} ({string.Join(", ", actual.Select(t => t.ToString()))}) but {against} ({string.Join(", ", expected.Select(t => t.ToString()))})");
    }

    private static void Arity(string name, int expected, IReadOnlyList<IrType> operands)
    {
        if (operands.Count != expected)
            throw new ArgumentException($"{name}: expected {expected} operand(s), got {operands.Count}");
    }

    private static string InputName(OpDef op, int i) => op.Inputs[Math.Min(i, op.Inputs.Count - 1)];
}
