using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// One block as the fusion pass sees it: node positions, what each node reads (its operands and, for an
/// if or loop, every value read inside its blocks), and the checks that a set of the block's nodes can
/// become one call: no path from the set back into it through an outside node (a cycle), and a position
/// for the call after every value it reads and before every outside read of its results. Positions are
/// recomputed after each call is placed (<see cref="Refresh"/>).
/// </summary>
internal sealed class FusionBlock
{
    private readonly Dictionary<Node, int> position = [];
    private readonly Dictionary<Node, Value[]> reads = [];

    /// <summary>A view of <paramref name="block"/>, naming nodes in messages with <paramref name="names"/>.</summary>
    public FusionBlock(Block block, ValueNamer names)
    {
        Block = block;
        Names = names;
        Refresh();
    }

    /// <summary>The block.</summary>
    public Block Block { get; }

    /// <summary>The names of the graph as it was before the pass, for messages.</summary>
    public ValueNamer Names { get; }

    /// <summary>Recomputes node positions after the block changed.</summary>
    public void Refresh()
    {
        position.Clear();
        reads.Clear();
        for (int i = 0; i < Block.Nodes.Count; i++) position[Block.Nodes[i]] = i;
    }

    /// <summary>The position of <paramref name="node"/> in the block.</summary>
    public int PositionOf(Node node) => position[node];

    /// <summary>
    /// The node of this block that holds <paramref name="use"/>: its user, or the if or loop of this block
    /// around a user in a nested block; null when this block returns the value.
    /// </summary>
    public Node? Holder(Use use)
    {
        if (use.User is not { } user) return use.ReturnOf == Block ? null : OwnerIn(use.ReturnOf!.OwnerNode!);
        return OwnerIn(user);
    }

    /// <summary>
    /// Why <paramref name="members"/> (nodes of this block) cannot become one call, or null when they can:
    /// a cycle through an outside node, or an outside read of a result before a value the set reads is computed.
    /// </summary>
    public string? Conflict(IReadOnlyCollection<Node> members)
    {
        var set = members.ToHashSet();
        int first = members.Min(PositionOf), last = members.Max(PositionOf);
        // Outside nodes that depend on the set, each with the first outside node on its path from the set:
        // a member reading one closes a cycle through that node.
        var tainted = new Dictionary<Node, Node>();
        for (int i = first; i <= last; i++)
        {
            var node = Block.Nodes[i];
            bool member = set.Contains(node);
            foreach (var v in Reads(node))
            {
                if (v.Producer is not { } p) continue;
                if (member && tainted.TryGetValue(p, out var through)) return $"would create a cycle through {Describe(through)}";
                if (!member && !tainted.ContainsKey(node) && (set.Contains(p) || tainted.ContainsKey(p)))
                    tainted[node] = set.Contains(p) ? node : tainted[p];
            }
        }
        var (input, inputAt) = LatestInput(members, set);
        var (user, userAt) = EarliestOutsideUser(members, set);
        return input is not null && user is not null && inputAt >= userAt
            ? $"{Describe(user)} reads a result of the group before {Describe(input)}, which the group reads, is computed (fusing would need reordering, not done in v1)"
            : null;
    }

    /// <summary>
    /// Where the call of <paramref name="members"/> goes: after the last member, or earlier, before the
    /// first outside node reading a result (valid once <see cref="Conflict"/> found nothing).
    /// </summary>
    public int CallPosition(IReadOnlyCollection<Node> members)
    {
        var set = members.ToHashSet();
        var (user, at) = EarliestOutsideUser(members, set);
        int afterLast = members.Max(PositionOf) + 1;
        return user is null ? afterLast : Math.Min(at, afterLast);
    }

    /// <summary>The producer in this block of the last-computed value the members read from outside (copied constants aside).</summary>
    private (Node? Node, int At) LatestInput(IEnumerable<Node> members, ISet<Node> set)
    {
        (Node? Node, int At) latest = (null, -1);
        foreach (var m in members)
        {
            foreach (var o in m.Operands)
            {
                if (o.Producer is { } p && p.Owner == Block && !set.Contains(p) && !FusionEligibility.IsCopiedConstant(p) && PositionOf(p) > latest.At)
                    latest = (p, PositionOf(p));
            }
        }
        return latest;
    }

    /// <summary>The first node of this block, outside the members, that reads one of their results.</summary>
    private (Node? Node, int At) EarliestOutsideUser(IEnumerable<Node> members, ISet<Node> set)
    {
        (Node? Node, int At) earliest = (null, int.MaxValue);
        foreach (var m in members)
        {
            foreach (var use in m.Result.Uses)
            {
                if (Holder(use) is { } h && !set.Contains(h) && PositionOf(h) < earliest.At) earliest = (h, PositionOf(h));
            }
        }
        return earliest;
    }

    /// <summary>How messages name a node: as the input graph's text does, or a call this pass placed by its callee.</summary>
    private string Describe(Node node) =>
        node.Callee is { } callee && callee.Name.Contains(FusionPass.CalleeMarker, StringComparison.Ordinal) ? "the call of @" + callee.Name : Names.Describe(node);

    private Node OwnerIn(Node node)
    {
        while (node.Owner != Block) node = node.Owner!.OwnerNode!;
        return node;
    }

    private Value[] Reads(Node node)
    {
        if (!reads.TryGetValue(node, out var values))
        {
            values = [.. node.Operands.Concat(node.Blocks.SelectMany(b => b.Returns.Concat(b.AllNodes().SelectMany(n => n.Operands))))];
            reads[node] = values;
        }
        return values;
    }
}
