using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Nodes of one block that become one call: elementwise ops of one dtype whose results all have the
/// group's shape (the broadcast output shape), kept in block order, and at most one head: a matrix product
/// or convolution of that type whose result only the group's ops read (the group is then its epilogue).
/// </summary>
internal sealed class FusionGroup
{
    private readonly List<Node> members;

    /// <summary>
    /// A group of the single node <paramref name="node"/>, which <see cref="FusionEligibility"/> admits as an
    /// elementwise op or, when <paramref name="isHead"/>, as a head.
    /// </summary>
    public FusionGroup(Node node, bool isHead = false)
    {
        members = [node];
        Type = node.Result.TensorType;
        Head = isHead ? node : null;
    }

    /// <summary>The type every member's result has.</summary>
    public TensorValueType Type { get; }

    /// <summary>The matrix product or convolution whose epilogue the other members are, or null.</summary>
    public Node? Head { get; private set; }

    /// <summary>The members, in block order.</summary>
    public IReadOnlyList<Node> Members => members;

    /// <summary>
    /// Why this group cannot take in <paramref name="other"/>, whose result this group's ops read: another result
    /// shape, a second head, or a member feeding the head (the head runs first); null when it can. The dtypes
    /// agree, since an eligible op reads only values of its own result's dtype.
    /// </summary>
    public string? Mismatch(FusionGroup other)
    {
        if (!other.Type.Shape.SequenceEqual(Type.Shape))
            return $"result shape {FusionEligibility.Format(Type.Shape)} differs from the group's {FusionEligibility.Format(other.Type.Shape)}";
        if (Head is not null && other.Head is not null) return $"the group has a matrix product already ({Head.Op!.Name}): one per group";
        if ((Head ?? other.Head) is not { } head) return null;
        var union = members.Concat(other.members).ToHashSet();
        return head.Operands.FirstOrDefault(o => o.Producer is { } p && union.Contains(p)) is { } fed
            ? $"a member of the group computes {head.Op!.Name}'s operand {fed.Name ?? "?"} (the matrix product runs first)"
            : null;
    }

    /// <summary>The members of this group and <paramref name="other"/>, in block order.</summary>
    public IReadOnlyList<Node> UnionWith(FusionGroup other, FusionBlock block) =>
        [.. members.Concat(other.members).OrderBy(block.PositionOf)];

    /// <summary>Takes <paramref name="other"/>'s members (and head) into this group.</summary>
    public void Absorb(FusionGroup other, FusionBlock block)
    {
        var union = UnionWith(other, block);
        members.Clear();
        members.AddRange(union);
        Head ??= other.Head;
    }
}
