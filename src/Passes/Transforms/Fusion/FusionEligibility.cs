using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Which nodes the fusion pass may put in a group: ops of the elementwise family that are not random, with
/// one float32 or float64 result whose shape has no data-dependent size, reading tensors of that same dtype;
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

    /// <summary>Why <paramref name="node"/> cannot join an elementwise group, or null when it can.</summary>
    public static string? WhyNot(Node node)
    {
        if (node.Kind != NodeKind.Op) return $"{node.Name} is not an op";
        var op = node.Op!;
        if (op.IsRandom) return $"{op.Name} is random";
        if (op.Family != "elementwise")
        {
            return HeadOps.Contains(op.Name)
                ? $"{op.Name} is {op.Family}, not elementwise (it only heads a group of the elementwise ops that read its result)"
                : $"{op.Name} is {op.Family}, not elementwise{Later(op.Family)}";
        }
        return WhyNotTyped(node);
    }

    /// <summary>Why <paramref name="node"/> cannot head a group (be the matrix product of an epilogue), or null when it can.</summary>
    public static string? WhyNotHead(Node node)
    {
        if (node.Kind != NodeKind.Op || !HeadOps.Contains(node.Op!.Name)) return $"{node.Name} is not a matrix product or convolution";
        return WhyNotTyped(node);
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

    private static string Later(string family) => family switch
    {
        "reduction" or "norm" or "loss" or "attention" => " (reductions are not fused in v1)",
        _ => "",
    };
}
