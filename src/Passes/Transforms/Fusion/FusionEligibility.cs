using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Which nodes the fusion pass may put in a group: ops of the elementwise family that are not random, with
/// one float32 or float64 result whose shape has no data-dependent size, reading tensors of that same dtype;
/// row reductions (<see cref="FusionPass.RowReductionOps"/> over the last dim, keeping it) and row ops (<see cref="FusionPass.RowOps"/>:
/// softmax, log_softmax and layer norm along the last dim), which make a group a row group;
/// and, as a group's head (its first node, at most one), a matrix product or convolution of the same kind
/// (<see cref="HeadOps"/>) whose result only the group's elementwise ops read (its epilogue). Everything else
/// is left alone, with a reason for <c>--explain-fusion</c>.
/// </summary>
internal static class FusionEligibility
{
    /// <summary>
    /// The ops that may head a group: their eager kernels write a new contiguous result, which the group's
    /// epilogue then overwrites in place.
    /// </summary>
    public static readonly IReadOnlySet<string> HeadOps = new HashSet<string>(StringComparer.Ordinal) { "linear", "matmul", "bmm", "conv1d", "conv2d", "conv3d" };

    /// <summary>Why <paramref name="node"/> cannot join a group as an elementwise op or row reduction, or null when it can.</summary>
    public static string? WhyNot(Node node)
    {
        if (node.Kind != NodeKind.Op) return $"{node.Name} is not an op";
        var op = node.Op!;
        if (op.IsRandom) return $"{op.Name} is random";
        if (FusionPass.RowReductionOps.Contains(op.Name)) return WhyNotRowReduction(node) ?? WhyNotTyped(node);
        if (FusionPass.RowOps.Contains(op.Name)) return WhyNotRowOp(node) ?? WhyNotTyped(node);
        if (op.Family != "elementwise")
        {
            return HeadOps.Contains(op.Name)
                ? $"{op.Name} is {op.Family}, not elementwise (it only heads a group of the elementwise ops that read its result)"
                : $"{op.Name} is {op.Family}, not elementwise{Later(op)}";
        }
        return WhyNotTyped(node);
    }

    /// <summary>Why <paramref name="node"/> cannot head a group (be the matrix product of an epilogue), or null when it can.</summary>
    public static string? WhyNotHead(Node node)
    {
        if (node.Kind != NodeKind.Op || !HeadOps.Contains(node.Op!.Name)) return $"{node.Name} is not a matrix product or convolution";
        return WhyNotTyped(node);
    }

    /// <summary>
    /// Whether <paramref name="node"/> makes its group a row group: a row reduction (<see cref="FusionPass.RowReductionOps"/>) or a
    /// row op (<see cref="FusionPass.RowOps"/>) that a group may hold.
    /// </summary>
    public static bool IsRowwise(Node node) => node.Op is { } op && (FusionPass.RowReductionOps.Contains(op.Name) || FusionPass.RowOps.Contains(op.Name)) && WhyNot(node) is null;

    /// <summary>
    /// The shape a group containing <paramref name="node"/> covers: its first operand's for a row reduction or row op
    /// (a reduction's result is one value per row of it), else its result's.
    /// </summary>
    public static IReadOnlyList<Dim> DomainOf(Node node) => IsRowwise(node) ? node.Operands[0].TensorType.Shape : node.Result.TensorType.Shape;

    /// <summary>
    /// <paramref name="domain"/> with its last dim 1: the shape of a row reduction's result over it, or null for a 0-d domain.
    /// </summary>
    public static IReadOnlyList<Dim>? RowShape(IReadOnlyList<Dim> domain) => domain.Count == 0 ? null : [.. domain.Take(domain.Count - 1), Dim.Of(1)];

    /// <summary>Why reduction <paramref name="node"/> is not a row reduction (last dim, kept, no dtype change, not over an empty dim), or null.</summary>
    private static string? WhyNotRowReduction(Node node)
    {
        var op = node.Op!;
        if (node.Operands.Count != 1 || node.Operands[0].Type is not TensorValueType input) return $"{op.Name} does not read one tensor";
        var dims = node.Attrs.GetLongs("dim");
        int rank = input.Rank;
        if (dims.Length == 0) return $"{op.Name} over every dim (row groups reduce the last dim only)";
        if (rank == 0 || dims.Length != 1 || (dims[0] != -1 && dims[0] != rank - 1))
            return $"{op.Name} over dims [{string.Join(", ", dims)}] of a rank-{rank} tensor (row groups reduce the last dim only)";
        if (!node.Attrs.GetBool("keepdim", false)) return $"{op.Name} drops the reduced dim (row groups need keepdim)";
        if (node.Attrs["dtype"] is not null) return $"{op.Name} converts to another dtype";
        // amax and amin have no value over an empty dim: the eager op raises PyTorch's error.
        if (input.Shape[^1] == Dim.Of(0)) return $"{op.Name} reduces an empty dim";
        return null;
    }

    /// <summary>Why row op <paramref name="node"/> does not work along the last dim alone (or over an empty one), or null.</summary>
    private static string? WhyNotRowOp(Node node)
    {
        var op = node.Op!;
        if (node.Operands.Count == 0 || node.Operands[0].Type is not TensorValueType input) return $"{op.Name} does not read a tensor";
        int rank = input.Rank;
        if (op.Name == "layer_norm")
        {
            int count = node.Attrs.GetLongs("normalized_shape").Length;
            if (count != 1) return $"layer_norm over the last {count} dims (row groups normalise over the last dim only)";
        }
        else
        {
            long dim = node.Attrs.GetLong("dim", 0);
            if (rank == 0 || (dim != -1 && dim != rank - 1)) return $"{op.Name} along dim {dim} of a rank-{rank} tensor (row groups take the last dim only)";
        }
        return rank > 0 && input.Shape[^1] == Dim.Of(0) ? $"{op.Name} over an empty dim" : null;
    }

    /// <summary>Why the result or operands of op <paramref name="node"/> keep it out of a group, or null.</summary>
    private static string? WhyNotTyped(Node node)
    {
        var op = node.Op!;
        if (node.Results.Count != 1 || node.Result.Type is not TensorValueType result)
            return $"{op.Name} does not have one tensor result";
        if (result.DType is not (DType.Float32 or DType.Float64))
            return $"{op.Name} gives dtype {result.DType.Name()}; v1 fuses float32 and float64 only";
        if (result.Shape.Any(d => d.IsDynamic))
            return $"{op.Name}'s result shape {Format(result.Shape)} has a data-dependent size";
        foreach (var operand in node.Operands)
        {
            if (operand.Type is not TensorValueType t) return $"{op.Name} reads a {operand.Type}, not a tensor";
            if (t.DType != result.DType) return $"{op.Name} reads dtype {t.DType.Name()} for a {result.DType.Name()} result";
            if (t.Shape.Any(d => d.IsDynamic)) return $"{op.Name} reads shape {Format(t.Shape)}, which has a data-dependent size";
        }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="node"/> is an inline constant of concrete shape, which a callee copies
    /// rather than takes as an input (a symbolic shape would need its sizes bound by the callee's inputs).
    /// </summary>
    public static bool IsCopiedConstant(Node? node) =>
        node is { Kind: NodeKind.Constant, Constant: DenseConstant { Type.IsConcrete: true } };

    /// <summary>A shape as messages write it: <c>[64, ?b]</c>.</summary>
    public static string Format(IReadOnlyList<Dim> shape) => "[" + string.Join(", ", shape) + "]";

    private static string Later(OpDef op) => op.Family switch
    {
        "reduction" => " (row groups hold sum, mean, amax and amin over the last dim)",
        "loss" => " (losses are not fused)",
        _ => "",
    };
}
