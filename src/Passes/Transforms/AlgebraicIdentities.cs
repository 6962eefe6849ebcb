using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// The algebraic simplifications of <see cref="Canonicalize"/> on registry ops: <c>x + 0</c>, <c>x - 0</c>,
/// <c>x * 1</c>, <c>x / 1</c>, <c>-(-x)</c>, conversions, reshapes, expands and clones that change nothing,
/// transposes and permutations that undo themselves, <c>squeeze(unsqueeze(x, d), d)</c>, and a reshape of a
/// reshape. A node is replaced by an operand only when its result has exactly the operand's type, so
/// broadcasting and dtype promotion are never lost: <c>x + zeros[4, 3]</c> with <c>x: f32[3]</c> stays.
/// Zeros and ones are inline constants whose every element is 0 or 1, whatever their dtype.
/// </summary>
internal static class AlgebraicIdentities
{
    /// <summary>Applies the first identity that fits <paramref name="node"/> (an op node); returns whether one did.</summary>
    public static bool TryApply(Node node)
    {
        if (node.Results.Count != 1 || node.Operands.Count == 0) return false;
        if (Equivalent(node) is { } same && same.Type == node.Result.Type)
        {
            Rewriting.Replace(node, [same]);
            return true;
        }
        return node.Op!.Name == "reshape" && SkipInnerReshape(node);
    }

    /// <summary>The operand (or earlier value) <paramref name="node"/>'s result always equals, if the types agree; else null.</summary>
    private static Value? Equivalent(Node node)
    {
        var o = node.Operands;
        return node.Op!.Name switch
        {
            "add" when o.Count == 2 => IsZero(o[1]) ? o[0] : IsZero(o[0]) && node.Attrs.GetDouble("alpha", 1) == 1 ? o[1] : null,
            "sub" when o.Count == 2 => IsZero(o[1]) ? o[0] : null,
            "mul" when o.Count == 2 => IsOne(o[1]) ? o[0] : IsOne(o[0]) ? o[1] : null,
            // Floor or trunc division by one would still round a float.
            "div" when o.Count == 2 => IsOne(o[1]) && node.Attrs["rounding_mode"] is null ? o[0] : null,
            "neg" => Producer(o[0], "neg")?.Operands[0],
            // Same type: the same dtype, or the same shape (row-major order is kept), or a plain copy.
            "to" or "reshape" or "expand" or "clone" => o[0],
            "squeeze" => Squeeze(node),
            "transpose" => Transpose(node),
            "permute" => IsIdentity(node.Attrs.GetLongs("dims"), Rank(o[0])) ? o[0] : null,
            _ => null,
        };
    }

    /// <summary>
    /// A squeeze that removes nothing (every dim it looks at has a constant size other than 1: a symbolic dim
    /// may be 1 at run time), or one that undoes an unsqueeze of the same dim.
    /// </summary>
    private static Value? Squeeze(Node node)
    {
        var input = node.Operands[0];
        var dims = node.Attrs.GetLongs("dim");
        int rank = Rank(input);
        if (Producer(input, "unsqueeze") is { } unsqueeze && dims.Length == 1
            && Wrap(dims[0], rank) == Wrap(unsqueeze.Attrs.GetLong("dim", 0), rank))
            return unsqueeze.Operands[0];
        var shape = input.TensorType.Shape;
        var looked = dims.Length == 0 ? shape : dims.Select(d => shape[(int)Wrap(d, rank)]);
        return rank > 0 && looked.All(d => d.IsConstant) ? input : null;
    }

    /// <summary>A transpose of a dim with itself, or of the same two dims as the transpose it reads.</summary>
    private static Value? Transpose(Node node)
    {
        var input = node.Operands[0];
        int rank = Rank(input);
        var dims = TransposedDims(node, rank);
        if (dims.A == dims.B) return input;
        return Producer(input, "transpose") is { } inner && TransposedDims(inner, rank) is var d
            && (d == dims || d == (dims.B, dims.A)) ? inner.Operands[0] : null;
    }

    /// <summary>Makes a reshape of a reshape read the inner reshape's input (the outer shape is all that counts).</summary>
    private static bool SkipInnerReshape(Node node)
    {
        if (Producer(node.Operands[0], "reshape") is not { } inner) return false;
        node.SetOperand(0, inner.Operands[0]);
        Rewriting.RemoveIfDead(inner);
        return true;
    }

    private static (long A, long B) TransposedDims(Node node, int rank) =>
        (Wrap(node.Attrs.GetLong("dim0", 0), rank), Wrap(node.Attrs.GetLong("dim1", 0), rank));

    private static bool IsIdentity(long[] permutation, int rank) =>
        permutation.Select(d => Wrap(d, rank)).SequenceEqual(Enumerable.Range(0, permutation.Length).Select(i => (long)i));

    private static Node? Producer(Value value, string op) => value.Producer is { Op: { } def } node && def.Name == op ? node : null;

    private static bool IsZero(Value value) => ConstantPayloads.IsUniform(value, 0);

    private static bool IsOne(Value value) => ConstantPayloads.IsUniform(value, 1);

    private static int Rank(Value value) => value.Type is TensorValueType t ? t.Rank : 0;

    /// <summary>A dim index counted from the front (a 0-d tensor's dims 0 and -1 are both 0).</summary>
    private static long Wrap(long dim, int rank) => dim < 0 ? dim + Math.Max(rank, 1) : dim;
}
