using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// A callee graph checked for the row kernel generator (the fusion pass's row groups: softmax, log_softmax, layer norm
/// after decomposition): elementwise ops of <see cref="KernelOps"/>, splat constants, and row reductions (sum, mean, amax,
/// amin over the last dim with keepdim) of values of one shape S, the <see cref="Domain"/>. Every node result and output
/// has shape S or ROW(S) (S with its last dim 1); the inputs broadcast to S and together cover it, so the runtime reads
/// S's sizes off the inputs. Row ops (softmax, log_softmax, layer norm along the last dim) are first expanded into their
/// decompositions (<see cref="RowOpExpansion"/>). <see cref="Check"/> says why a graph is not compilable.
/// </summary>
internal sealed class RowKernelSource
{
    private RowKernelSource(Graph graph, DType dtype, IReadOnlyList<Dim> domain, bool inPlace)
    {
        Graph = graph;
        DType = dtype;
        Domain = domain;
        InPlace = inPlace;
        var inputs = graph.Body.Params;
        InputDTypes = [.. inputs.Select(p => p.TensorType.DType)];
        RowInputs = [.. inputs.Select(p => p.TensorType.Rank == 0 || p.TensorType.Shape[^1] == Dim.Of(1))];
        RowOutputs = [.. graph.Outputs.Select(o => !o.TensorType.Shape.SequenceEqual(domain))];
        Reductions = [.. graph.Body.Nodes.Where(IsReduction)];
        HasExtremum = Reductions.Any(r => r.Op!.Name is "amax" or "amin");
    }

    /// <summary>The callee graph, its row ops expanded (same name, inputs and outputs).</summary>
    internal Graph Graph { get; }

    /// <summary>The compute and output dtype (float32 or float64).</summary>
    internal DType DType { get; }

    /// <summary>Each input's dtype: <see cref="DType"/>, or bool for a where condition.</summary>
    internal DType[] InputDTypes { get; }

    /// <summary>S: the shape of the values the reductions read (rank ≥ 1; the last dim is the row).</summary>
    internal IReadOnlyList<Dim> Domain { get; }

    /// <summary>Whether output 0 (of shape S) overwrites input 0 (the product of a headed group) in place.</summary>
    internal bool InPlace { get; }

    /// <summary>Which inputs are constant along a row by their shape (rank 0 or last dim 1): loaded once per row.</summary>
    internal bool[] RowInputs { get; }

    /// <summary>Which outputs have shape ROW(S) (one value per row) rather than S.</summary>
    internal bool[] RowOutputs { get; }

    /// <summary>The reductions in dependence (node) order: one pass over the row each.</summary>
    internal Node[] Reductions { get; }

    /// <summary>Whether a reduction is amax or amin, which has no value for an empty row (the callee then raises PyTorch's error).</summary>
    internal bool HasExtremum { get; }

    /// <summary>
    /// Whether <paramref name="graph"/> has a sum, mean, amax or amin node, or a row op (<see cref="RowOpExpansion"/>): then it
    /// is a row group or not compilable.
    /// </summary>
    internal static bool HasReduction(Graph graph) =>
        graph.Body.Nodes.Any(n => IsReduction(n) || (n.Kind == NodeKind.Op && FusionPass.RowOps.Contains(n.Op!.Name)));

    /// <summary><paramref name="layout"/> with the <see cref="RowInputs"/> read as broadcast (one layout per distinct kernel).</summary>
    internal KernelLayout Normalize(KernelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Steps.Count != InputDTypes.Length)
            throw new ArgumentException($"row kernel {Graph.Name} has {InputDTypes.Length} inputs, but the layout '{layout}' describes {layout.Steps.Count}", nameof(layout));
        return RowInputs.Any(r => r) ? new KernelLayout(layout.Steps.Select((s, k) => RowInputs[k] ? InnerStep.Broadcast : s)) : layout;
    }

    /// <summary>Checks <paramref name="graph"/>; null when it is compilable, else why not ("not compilable: ...").</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="reason">Null when compilable.</param>
    /// <param name="inPlace">Whether output 0 is to overwrite input 0, which must then have output 0's type and shape S.</param>
    internal static RowKernelSource? Check(Graph graph, out string? reason, bool inPlace = false)
    {
        // Row ops (softmax, log_softmax, layer norm) are compiled as their decompositions: row reductions and elementwise ops.
        graph = RowOpExpansion.Expand(graph);
        reason = ElementwiseKernelSource.WhyNotTyped(graph, IsReduction, out var dtype);
        IReadOnlyList<Dim> domain = [];
        reason ??= WhyNotRows(graph, dtype, out domain);
        if (reason is null && inPlace && (graph.Body.Params.Count == 0 || graph.Body.Params[0].Type != graph.Outputs[0].Type || !graph.Outputs[0].TensorType.Shape.SequenceEqual(domain)))
            reason = $"not compilable: output {graph.Outputs[0]} cannot overwrite input 0 in place (another type)";
        return reason is null ? new RowKernelSource(graph, dtype, domain, inPlace) : null;
    }

    private static bool IsReduction(Node node) => node.Kind == NodeKind.Op && FusionPass.RowReductionOps.Contains(node.Op!.Name);

    /// <summary>The reductions are last-dim row reductions of one domain S, and every value has shape S or ROW(S).</summary>
    private static string? WhyNotRows(Graph graph, DType dtype, out IReadOnlyList<Dim> domain)
    {
        domain = [];
        var reductions = graph.Body.Nodes.Where(IsReduction).ToArray();
        if (reductions.Length == 0) return "not compilable: the graph has no row reduction";
        domain = reductions[0].Operands[0].TensorType.Shape;
        if (domain.Count == 0) return $"not compilable: {reductions[0].Op!.Name} reduces a 0-d tensor (a row kernel reduces the last dim)";
        foreach (var node in reductions)
        {
            if (WhyNotRowReduction(node, dtype, domain) is { } why) return "not compilable: " + why;
        }
        IReadOnlyList<Dim> row = [.. domain.Take(domain.Count - 1), Dim.Of(1)];
        string shapes = $"[{string.Join(", ", domain)}] or [{string.Join(", ", row)}]";
        foreach (var node in graph.Body.Nodes.Where(n => n.Kind != NodeKind.Constant))
        {
            var shape = node.Result.TensorType.Shape;
            if (!shape.SequenceEqual(domain) && !shape.SequenceEqual(row))
                return $"not compilable: {node.Op!.Name} gives {node.Result}, not of the row group's shape {shapes}";
        }
        foreach (var o in graph.Outputs)
        {
            if (!o.TensorType.Shape.SequenceEqual(domain) && !o.TensorType.Shape.SequenceEqual(row))
                return $"not compilable: output {o} has not the row group's shape {shapes}";
        }
        foreach (var p in graph.Body.Params)
        {
            if (!ElementwiseKernelSource.Fits(p.TensorType.Shape, domain))
                return $"not compilable: input {p} does not broadcast to the row group's shape [{string.Join(", ", domain)}]";
        }
        // The runtime takes S's sizes from the inputs, so together they must span it.
        var covered = ElementwiseKernelSource.BroadcastShape(graph.Body.Params.Select(p => p.TensorType.Shape));
        if (covered is null || !covered.SequenceEqual(domain))
            return $"not compilable: the inputs' shapes do not broadcast to the row group's shape [{string.Join(", ", domain)}]";
        return null;
    }

    /// <summary>Why <paramref name="node"/> is not a row reduction of <paramref name="domain"/>, or null.</summary>
    private static string? WhyNotRowReduction(Node node, DType dtype, IReadOnlyList<Dim> domain)
    {
        string name = node.Op!.Name;
        var operand = node.Operands[0];
        if (operand.Type is not TensorValueType input || input.DType != dtype || node.Results.Count != 1 || node.Result.Type is not TensorValueType result || result.DType != dtype)
            return $"{name} (its operand and result are not {dtype.Name()} tensors)";
        if (!input.Shape.SequenceEqual(domain))
            return $"{name} reduces {operand}, not a value of the row group's shape [{string.Join(", ", domain)}]";
        long[] dims = node.Attrs.GetLongs("dim");
        if (dims.Length != 1 || (dims[0] != -1 && dims[0] != domain.Count - 1))
            return $"{name} over dims [{string.Join(", ", dims)}] (a row kernel reduces only the last dim)";
        return node.Attrs.GetBool("keepdim", false) ? null : $"{name} without keepdim (a row kernel keeps the reduced dim)";
    }
}
