using System.Globalization;
using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Fusion (<c>fuse</c>): connected elementwise ops of one float dtype whose results all have one shape, with
/// at most one matrix product or convolution whose result only they read (the group's head: they are its
/// epilogue) and with any reductions over that shape's last dim that they read or feed (a row group: softmax,
/// log_softmax and layer norm once decomposed, whose other members have the shape or its row shape), become a call of a new graph <c>&lt;graph&gt;_fused_&lt;k&gt;</c> (which the executor
/// interprets, and the runtime may replace with a compiled kernel), in every block; groups never cross a
/// block boundary and single ops are left alone. With a log, each fused group gets a line, and so does
/// each pair of neighbouring ops (producer, consumer) left unfused, saying why (<c>kiln opt --explain-fusion</c>).
/// Graphs whose names contain <c>_fused_</c> are fused kernels already and are left alone.
/// </summary>
public sealed class FusionPass : IGraphPass
{
    /// <summary>The pass's name in pipelines.</summary>
    public const string PassName = "fuse";

    /// <summary>What marks a fused callee's name: <c>&lt;graph&gt;_fused_&lt;k&gt;</c>.</summary>
    public const string CalleeMarker = "_fused_";

    /// <summary>
    /// The reductions a row group may hold: over the last dim only, with <c>keepdim</c>, so each result is one value
    /// per row that broadcasts back over it (the kernel generator computes each in one pass over the row).
    /// </summary>
    public static IReadOnlySet<string> RowReductionOps { get; } = new HashSet<string>(StringComparer.Ordinal) { "sum", "mean", "amax", "amin" };

    /// <summary>
    /// The composite ops a row group may hold, along the last dim (layer norm over it alone): each row's result needs
    /// only that row. The kernel generator expands them into row reductions and elementwise ops; run op by op (when
    /// grad is needed) they are the eager ops themselves, so training keeps eager's bits.
    /// </summary>
    public static IReadOnlySet<string> RowOps { get; } = new HashSet<string>(StringComparer.Ordinal) { "softmax", "log_softmax", "layer_norm" };

    /// <inheritdoc/>
    public string Name => PassName;

    /// <summary>How each of the pass's log lines starts for <paramref name="graph"/>: <c>fuse @g: </c>.</summary>
    public static string LogPrefix(Graph graph) => $"{PassName} @{graph.Name}: ";

    /// <summary>Whether <paramref name="line"/> is one of this pass's log lines (what <c>--explain-fusion</c> keeps).</summary>
    public static bool IsLogLine(string line) => line.StartsWith(PassName + " @", StringComparison.Ordinal);

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context)
    {
        if (graph.Name.Contains(CalleeMarker, StringComparison.Ordinal)) return false;
        var run = new FusionRun(graph);
        run.Fuse(graph.Body);
        if (context.Log is { } log)
        {
            foreach (var line in run.Explain()) log.WriteLine(LogPrefix(graph) + line);
        }
        return run.Fused.Count > 0;
    }

    /// <summary>One run over a graph: the groups planned and fused in each block, and what explains the rest.</summary>
    private sealed class FusionRun
    {
        private readonly Graph graph;
        private readonly ValueNamer names;
        private readonly (Node Producer, Node Consumer)[] pairs;
        private readonly Dictionary<Node, Block> blockOf = [];
        private readonly Dictionary<Node, FusionPlanner> plannerOf = [];
        private readonly Dictionary<FusionGroup, string> failed = [];
        private int next;

        public FusionRun(Graph graph)
        {
            this.graph = graph;
            // Names, nodes and blocks as they are before the pass: explanations speak of the input graph.
            names = new ValueNamer(graph);
            var ops = graph.AllNodes().Where(n => n.Kind == NodeKind.Op).ToArray();
            foreach (var op in ops) blockOf[op] = op.Owner!;
            pairs = [.. ops.SelectMany(c => c.Operands.Select(o => o.Producer).OfType<Node>().Where(p => p.Kind == NodeKind.Op).Distinct().Select(p => (p, c)))];
            string prefix = graph.Name + CalleeMarker;
            next = graph.AllNodes().Select(n => n.Callee?.Name)
                .Where(n => n is not null && n.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => int.TryParse(n![prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k + 1 : 0)
                .DefaultIfEmpty(0).Max();
        }

        /// <summary>The fused groups: each callee and the nodes it replaced.</summary>
        public List<(Graph Callee, FusionGroup Group)> Fused { get; } = [];

        /// <summary>Plans and fuses the groups of <paramref name="block"/>, then of the blocks nested in it.</summary>
        public void Fuse(Block block)
        {
            var view = new FusionBlock(block, names);
            var planner = new FusionPlanner(view);
            foreach (var node in block.Nodes) plannerOf[node] = planner;
            foreach (var group in planner.Groups)
            {
                // Checked again: an earlier call placed in this block may have moved a value the group reads.
                if (view.Conflict(group.Members) is { } why)
                {
                    failed[group] = why + " (once the earlier groups of the block became calls)";
                    continue;
                }
                var name = graph.Name + CalleeMarker + (next++).ToString(CultureInfo.InvariantCulture);
                Fused.Add((GroupOutliner.Outline(view, group.Members, name).Callee!, group));
            }
            foreach (var node in block.Nodes.ToArray())
            {
                foreach (var inner in node.Blocks) Fuse(inner);
            }
        }

        /// <summary>A line per fused group, then one per pair of neighbouring ops left unfused, with the reason.</summary>
        public IEnumerable<string> Explain()
        {
            foreach (var (callee, group) in Fused)
                yield return $"@{callee.Name} fuses {string.Join(", ", group.Members.Select(names.Describe))} ({group.Describe()})";
            foreach (var (producer, consumer) in pairs)
            {
                if (WhyApart(producer, consumer) is { } why) yield return $"{names.Describe(producer)} -> {names.Describe(consumer)}: {why}";
            }
        }

        private string? WhyApart(Node producer, Node consumer)
        {
            if (FusionEligibility.WhyNot(producer) is { } p && FusionEligibility.WhyNotHead(producer) is not null) return p;
            if (FusionEligibility.WhyNot(consumer) is { } c) return c;
            if (blockOf[producer] != blockOf[consumer])
                return $"{consumer.Name} is in another block (groups never cross an if or loop boundary)";
            // Both eligible in one block: planned into one group (fused unless it failed its second check),
            // or kept apart by a refusal the planner recorded.
            var planner = plannerOf[producer];
            if (planner.GroupOf(producer) is not { } group) return planner.Refusal(producer, consumer);
            return group == planner.GroupOf(consumer) ? failed.GetValueOrDefault(group) : planner.Refusal(producer, consumer);
        }
    }
}
