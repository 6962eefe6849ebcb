using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Which nodes version 1 of the fusion pass may put in a group: ops of the elementwise family that are
/// not random, with one float32 or float64 result whose shape has no data-dependent size, reading
/// tensors of that same dtype. Everything else is left alone, with a reason for <c>--explain-fusion</c>.
/// </summary>
internal static class FusionEligibility
{
    /// <summary>Why <paramref name="node"/> cannot join an elementwise group, or null when it can.</summary>
    public static string? WhyNot(Node node)
    {
        if (node.Kind != NodeKind.Op) return $"{node.Name} is not an op";
        var op = node.Op!;
        if (op.IsRandom) return $"{op.Name} is random";
        if (op.Family != "elementwise") return $"{op.Name} is {op.Family}, not elementwise{Later(op.Family)}";
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
        "linalg" or "conv" => " (epilogue fusion comes later)",
        "reduction" or "norm" or "loss" or "attention" => " (reductions are not fused in v1)",
        _ => "",
    };
}
