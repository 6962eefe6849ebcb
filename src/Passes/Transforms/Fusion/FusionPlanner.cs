using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Groups one block's eligible nodes greedily, in block order: each node starts a group of its own, then
/// takes in the groups of its operands' producers, one after another, when their dtype and result shape
/// match and the union can still become one call (<see cref="FusionBlock.Conflict"/>). Each refused
/// producer-consumer pair keeps its reason for <c>--explain-fusion</c>. A matrix product or convolution whose
/// result only one elementwise op reads joins that op's group as its head (the group becomes its epilogue).
/// </summary>
internal sealed class FusionPlanner
{
    private readonly Dictionary<Node, FusionGroup> groupOf = [];
    private readonly Dictionary<(Node Producer, Node Consumer), string> refused = [];

    /// <summary>Plans the groups of <paramref name="view"/>'s block.</summary>
    public FusionPlanner(FusionBlock view)
    {
        foreach (var node in view.Block.Nodes)
        {
            if (FusionEligibility.WhyNot(node) is not null) continue;
            var group = new FusionGroup(node);
            groupOf[node] = group;
            foreach (var producer in node.Operands.Select(o => o.Producer).OfType<Node>().Distinct())
            {
                if (producer.Owner != view.Block) continue;
                if (!groupOf.TryGetValue(producer, out var other))
                {
                    if (FusionEligibility.WhyNotHead(producer) is not null) continue;
                    if (WhyNotEpilogue(producer, node, view) is { } apart)
                    {
                        refused[(producer, node)] = apart;
                        continue;
                    }
                    other = new FusionGroup(producer, isHead: true);
                    groupOf[producer] = other;
                }
                if (other == group) continue;
                if ((group.Mismatch(other) ?? view.Conflict(group.UnionWith(other, view))) is { } why)
                {
                    refused[(producer, node)] = why;
                    continue;
                }
                group.Absorb(other, view);
                foreach (var m in other.Members) groupOf[m] = group;
            }
        }
    }

    /// <summary>
    /// Why head <paramref name="head"/> cannot become the head of <paramref name="consumer"/>'s group: its result is
    /// read elsewhere too (the epilogue overwrites it in place), or null.
    /// </summary>
    private static string? WhyNotEpilogue(Node head, Node consumer, FusionBlock view)
    {
        foreach (var use in head.Result.Uses)
        {
            if (use.User == consumer) continue;
            var reader = view.Holder(use) is { } h ? view.Names.Describe(h) : "the block's return";
            return $"{head.Op!.Name}'s result is also read by {reader} (an epilogue overwrites the product in place)";
        }
        return null;
    }

    /// <summary>The groups of more than one node (a single op is not worth a call), in block order of their first member.</summary>
    public IReadOnlyList<FusionGroup> Groups =>
        [.. groupOf.Values.Distinct().Where(g => g.Members.Count > 1).OrderBy(g => g.Members[0].Owner!.IndexOf(g.Members[0]))];

    /// <summary>The group <paramref name="node"/> was planned into, or null.</summary>
    public FusionGroup? GroupOf(Node node) => groupOf.GetValueOrDefault(node);

    /// <summary>Why <paramref name="consumer"/> did not join <paramref name="producer"/>'s group, or null when no reason was recorded.</summary>
    public string? Refusal(Node producer, Node consumer) => refused.GetValueOrDefault((producer, consumer));
}
