using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Nodes of one block that become one call: elementwise ops of one dtype whose results all have the
/// group's shape, its <see cref="Domain"/> (the broadcast output shape), kept in block order, and at most one head:
/// a matrix product or convolution of that type whose result only the group's ops read (the group is then its
/// epilogue). A row group (<see cref="HasRowReduction"/>) also holds reductions over the domain's last dim, and its
/// members' results have the domain's shape or its row shape (last dim 1: one value per row).
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
        Domain = FusionEligibility.DomainOf(node);
        HasRowReduction = FusionEligibility.IsRowwise(node);
        Head = isHead ? node : null;
    }

    /// <summary>The shape the group computes over: every member's result has it (or, in a row group, its row shape).</summary>
    public IReadOnlyList<Dim> Domain { get; private set; }

    /// <summary>Whether the group holds a row reduction or row op (over the domain's last dim): a row group.</summary>
    public bool HasRowReduction { get; private set; }

    /// <summary>The matrix product or convolution whose epilogue the other members are, or null.</summary>
    public Node? Head { get; private set; }

    /// <summary>The members, in block order.</summary>
    public IReadOnlyList<Node> Members => members;

    /// <summary>
    /// Why this group cannot take in <paramref name="other"/>, whose result this group's ops read: another domain
    /// (unless one group's domain is the row shape of the other's, which holds a row reduction), a second head, or a
    /// member feeding the head (the head runs first); null when it can. The dtypes agree, since an eligible op reads
    /// only values of its own result's dtype.
    /// </summary>
    public string? Mismatch(FusionGroup other)
    {
        if (UnionDomain(other) is null)
        {
            return HasRowReduction || other.HasRowReduction
                ? $"domain {FusionEligibility.Format(other.Domain)} is neither the row group's {FusionEligibility.Format(Domain)} nor its row shape"
                : $"result shape {FusionEligibility.Format(Domain)} differs from the group's {FusionEligibility.Format(other.Domain)}";
        }
        if (Head is not null && other.Head is not null) return $"the group has a matrix product already ({Head.Op!.Name}): one per group";
        if ((Head ?? other.Head) is not { } head) return null;
        var union = members.Concat(other.members).ToHashSet();
        return head.Operands.FirstOrDefault(o => o.Producer is { } p && union.Contains(p)) is { } fed
            ? $"a member of the group computes {head.Op!.Name}'s operand {fed.Name ?? "?"} (the matrix product runs first)"
            : null;
    }

    /// <summary>What the group computes over, for messages: <c>f32[?b, 8]</c>, or <c>rows of f32[?b, 8]</c> for a row group.</summary>
    public string Describe()
    {
        var type = new TensorValueType(Members[0].Result.TensorType.DType, Domain).ToString();
        return HasRowReduction ? "rows of " + type : type;
    }

    /// <summary>The members of this group and <paramref name="other"/>, in block order.</summary>
    public IReadOnlyList<Node> UnionWith(FusionGroup other, FusionBlock block) =>
        [.. members.Concat(other.members).OrderBy(block.PositionOf)];

    /// <summary>Takes <paramref name="other"/>'s members (and head) into this group.</summary>
    public void Absorb(FusionGroup other, FusionBlock block)
    {
        var union = UnionWith(other, block);
        Domain = UnionDomain(other) ?? throw new InvalidOperationException("fusion: absorbing a group of another domain");
        members.Clear();
        members.AddRange(union);
        Head ??= other.Head;
        HasRowReduction |= other.HasRowReduction;
    }

    /// <summary>
    /// The domain of this group and <paramref name="other"/> together, or null when they cannot share one: equal domains,
    /// or a group of row-shaped values (no reduction of its own) joining a row group whose domain's row shape it has.
    /// </summary>
    private IReadOnlyList<Dim>? UnionDomain(FusionGroup other)
    {
        if (other.Domain.SequenceEqual(Domain)) return Domain;
        return IsRowPartOf(other) ? other.Domain : other.IsRowPartOf(this) ? Domain : null;
    }

    /// <summary>Whether this group, without a reduction, computes one value per row of row group <paramref name="rows"/>.</summary>
    private bool IsRowPartOf(FusionGroup rows) =>
        !HasRowReduction && Head is null && rows.HasRowReduction && FusionEligibility.RowShape(rows.Domain) is { } row && row.SequenceEqual(Domain);
}
