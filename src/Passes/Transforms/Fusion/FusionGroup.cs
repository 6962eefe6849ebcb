using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Nodes of one block that become one call: elementwise ops of one dtype whose results all have the
/// group's shape (the broadcast output shape), kept in block order.
/// </summary>
internal sealed class FusionGroup
{
    private readonly List<Node> members;

    /// <summary>A group of the single node <paramref name="node"/>, which <see cref="FusionEligibility"/> admits.</summary>
    public FusionGroup(Node node)
    {
        members = [node];
        Type = node.Result.TensorType;
    }

    /// <summary>The type every member's result has.</summary>
    public TensorValueType Type { get; }

    /// <summary>The members, in block order.</summary>
    public IReadOnlyList<Node> Members => members;

    /// <summary>
    /// Why this group cannot take in <paramref name="other"/>, whose result this group's ops read: another result
    /// shape, or null. The dtypes agree, since an eligible op reads only values of its own result's dtype.
    /// </summary>
    public string? Mismatch(FusionGroup other) => other.Type.Shape.SequenceEqual(Type.Shape) ? null
        : $"result shape {FusionEligibility.Format(Type.Shape)} differs from the group's {FusionEligibility.Format(other.Type.Shape)}";

    /// <summary>The members of this group and <paramref name="other"/>, in block order.</summary>
    public IReadOnlyList<Node> UnionWith(FusionGroup other, FusionBlock block) =>
        [.. members.Concat(other.members).OrderBy(block.PositionOf)];

    /// <summary>Takes <paramref name="other"/>'s members into this group.</summary>
    public void Absorb(FusionGroup other, FusionBlock block)
    {
        var union = UnionWith(other, block);
        members.Clear();
        members.AddRange(union);
    }
}
