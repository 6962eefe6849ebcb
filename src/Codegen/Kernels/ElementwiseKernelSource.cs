using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// A callee graph checked for the elementwise kernel generator: every node an elementwise op of
/// <see cref="KernelOps"/> or a splat constant, every tensor of one float dtype (a bool input may be where's condition),
/// and every output of the inputs' broadcast shape. <see cref="Check"/> says why a graph is not compilable.
/// </summary>
internal sealed class ElementwiseKernelSource
{
    private ElementwiseKernelSource(Graph graph, DType dtype, DType[] inputDTypes, bool inPlace)
    {
        Graph = graph;
        DType = dtype;
        InputDTypes = inputDTypes;
        InPlace = inPlace;
    }

    /// <summary>
    /// Whether output 0 overwrites input 0 in place (an epilogue over its matrix product): the kernel stores it through
    /// input 0's pointer, so LLVM sees one buffer and vectorises without an overlap check that would always fail.
    /// </summary>
    internal bool InPlace { get; }

    /// <summary>The callee graph.</summary>
    internal Graph Graph { get; }

    /// <summary>The compute and output dtype (float32 or float64).</summary>
    internal DType DType { get; }

    /// <summary>Each input's dtype: <see cref="DType"/>, or bool for a where condition.</summary>
    internal DType[] InputDTypes { get; }

    /// <summary>Checks <paramref name="graph"/>; null when it is compilable, else why not ("not compilable: ...").</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="reason">Null when compilable.</param>
    /// <param name="inPlace">Whether output 0 is to overwrite input 0, which must then have the group's shape and dtype.</param>
    internal static ElementwiseKernelSource? Check(Graph graph, out string? reason, bool inPlace = false)
    {
        reason = Why(graph, out var dtype);
        if (reason is null && inPlace && (graph.Body.Params.Count == 0 || graph.Body.Params[0].Type != graph.Outputs[0].Type))
            reason = $"not compilable: output {graph.Outputs[0]} cannot overwrite input 0 in place (another type)";
        return reason is null ? new ElementwiseKernelSource(graph, dtype, [.. graph.Body.Params.Select(p => p.TensorType.DType)], inPlace) : null;
    }

    private static string? Why(Graph graph, out DType dtype) => WhyNotTyped(graph, null, out dtype) ?? WhyNotShaped(graph);

    /// <summary>
    /// The checks every kernel's graph passes (shared with <see cref="RowKernelSource"/>): tensor inputs and outputs, one
    /// float compute dtype, bool inputs only as where's condition, and every node an op of <see cref="KernelOps"/> or a splat
    /// constant, except the nodes <paramref name="checkedElsewhere"/> accepts (the caller checks those itself).
    /// </summary>
    /// <returns>Null when the graph passes, else why not ("not compilable: ...").</returns>
    internal static string? WhyNotTyped(Graph graph, Predicate<Node>? checkedElsewhere, out DType dtype)
    {
        dtype = DType.Float32;
        var outputs = graph.Outputs;
        if (outputs.Count == 0) return "not compilable: the graph has no outputs";
        if (graph.Body.Params.FirstOrDefault(p => p.Type is not TensorValueType) is { } scalar)
            return $"not compilable: input {scalar} is not a tensor";
        if (outputs.FirstOrDefault(o => o.Type is not TensorValueType) is { } odd)
            return $"not compilable: output {odd} is not a tensor";
        // The compute dtype: the first float32 or float64 among the outputs, then the inputs; ops producing any other
        // dtype are named below.
        var floats = outputs.Concat(graph.Body.Params).Select(v => v.TensorType.DType).Where(t => t is DType.Float32 or DType.Float64).ToArray();
        if (floats.Length == 0)
            return $"not compilable: dtype {outputs[0].TensorType.DType.Name()} (kernels are float32 or float64)";
        var t0 = floats[0];
        dtype = t0;
        var conditions = new HashSet<Value>();
        foreach (var node in graph.Body.Nodes)
        {
            if (checkedElsewhere?.Invoke(node) == true) continue;
            string? why = WhyNot(node, dtype, conditions);
            if (why is not null) return "not compilable: " + why;
        }
        foreach (var p in graph.Body.Params)
        {
            var t = p.TensorType.DType;
            if (t != dtype && !(t == DType.Bool && conditions.Contains(p) && !outputs.Contains(p)))
                return $"not compilable: input {p} has dtype {t.Name()}, not {dtype.Name()}";
        }
        if (outputs.FirstOrDefault(o => o.TensorType.DType != t0) is { } other)
            return $"not compilable: output {other} has dtype {other.TensorType.DType.Name()}, not {dtype.Name()}";
        return null;
    }

    /// <summary>Every value broadcasts to the inputs' broadcast shape, which every output has; else why not.</summary>
    private static string? WhyNotShaped(Graph graph)
    {
        var outputs = graph.Outputs;
        var shape = BroadcastShape(graph.Body.Params.Select(p => p.TensorType.Shape));
        if (shape is null) return "not compilable: the inputs' shapes do not broadcast to one known shape";
        foreach (var v in outputs.Concat(graph.Body.Nodes.SelectMany(n => n.Results)))
        {
            if (!Fits(v.TensorType.Shape, shape))
                return $"not compilable: {v} does not broadcast to the group's shape [{string.Join(", ", shape)}]";
        }
        foreach (var o in outputs)
        {
            if (!o.TensorType.Shape.SequenceEqual(shape))
                return $"not compilable: output {o} has not the group's shape [{string.Join(", ", shape)}]";
        }
        return null;
    }

    private static string? WhyNot(Node node, DType dtype, HashSet<Value> conditions)
    {
        switch (node.Kind)
        {
            case NodeKind.Constant when node.Constant is DenseConstant { IsSplat: true } splat:
                return splat.Type.DType == dtype ? null : $"constant of dtype {splat.Type.DType.Name()}";
            case NodeKind.Op:
                var op = node.Op!;
                if (!KernelOps.Table.TryGetValue(op.Name, out var kernelOp))
                {
                    return op.Family != "elementwise" ? $"{op.Name} ({op.Family} op)"
                        : node.Results.Any(r => r.Type is TensorValueType { DType: DType.Bool }) ? $"{op.Name} (produces bool)"
                        : $"{op.Name} (no kernel formula)";
                }
                if (node.Results.Count != 1 || node.Result.Type is not TensorValueType result || result.DType != dtype)
                    return $"{op.Name} (its result is not one {dtype.Name()} tensor)";
                for (int k = 0; k < node.Operands.Count; k++)
                {
                    var operand = node.Operands[k];
                    if (kernelOp.ConditionFirst && k == 0)
                    {
                        if (operand.ParamOf is null || operand.TensorType.DType != DType.Bool)
                            return $"{op.Name} (its condition must be a bool input of the graph)";
                        conditions.Add(operand);
                    }
                    else if (operand.Type is not TensorValueType t || t.DType != dtype)
                        return $"{op.Name} (operand {k} is {operand.Type}, not a {dtype.Name()} tensor)";
                }
                return null;
            default:
                return $"{node.Name} node";
        }
    }

    /// <summary>Whether every dim of <paramref name="part"/> is 1 or the aligned dim of <paramref name="whole"/>.</summary>
    internal static bool Fits(IReadOnlyList<Dim> part, IReadOnlyList<Dim> whole)
    {
        if (part.Count > whole.Count) return false;
        int shift = whole.Count - part.Count;
        for (int d = 0; d < part.Count; d++)
        {
            if (part[d] != Dim.Of(1) && part[d] != whole[d + shift]) return false;
        }
        return true;
    }

    /// <summary>The broadcast of symbolic shapes, or null where two dims differ and neither is 1.</summary>
    internal static IReadOnlyList<Dim>? BroadcastShape(IEnumerable<IReadOnlyList<Dim>> shapes)
    {
        var result = new List<Dim>();
        foreach (var shape in shapes)
        {
            while (result.Count < shape.Count) result.Insert(0, Dim.Of(1));
            int shift = result.Count - shape.Count;
            for (int d = 0; d < shape.Count; d++)
            {
                var (have, add) = (result[d + shift], shape[d]);
                if (have == add || add == Dim.Of(1)) continue;
                if (have != Dim.Of(1) || add.IsDynamic) return null;
                result[d + shift] = add;
            }
        }
        return result;
    }
}
