using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Prepares graphs to run: a <see cref="Step"/> per node, and for every block the position of each of its
/// values' last use, so each value is dropped as soon as nothing later reads it. Called graphs are
/// planned once each.
/// </summary>
/// <param name="tensorConstant">The tensor a <see cref="TensorConstant"/> holds in this executor.</param>
internal sealed class ExecutionPlanner(Func<TensorConstant, Tensor> tensorConstant)
{
    private readonly Dictionary<Graph, GraphPlan> graphs = [];

    /// <summary>The plan of <paramref name="graph"/>.</summary>
    /// <exception cref="NotSupportedException">A node has a kind or primitive the executor cannot run.</exception>
    internal GraphPlan Plan(Graph graph)
    {
        if (graphs.TryGetValue(graph, out var plan)) return plan;
        plan = new GraphPlan(graph);
        graphs.Add(graph, plan);
        plan.Body = PlanBlock(graph.Body, out _);
        return plan;
    }

    /// <summary>Plans <paramref name="block"/>; <paramref name="outer"/> gets the values it (or a block inside it) reads from enclosing blocks.</summary>
    private BlockPlan PlanBlock(Block block, out IReadOnlyList<Value> outer)
    {
        var nodes = block.Nodes;
        var steps = new Step[nodes.Count];
        var lastUse = new Dictionary<Value, int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var nested = new BlockPlan[node.Blocks.Count];
            for (int b = 0; b < nested.Length; b++)
            {
                nested[b] = PlanBlock(node.Blocks[b], out var reads);
                foreach (var v in reads) lastUse[v] = i;
            }
            foreach (var v in node.Operands) lastUse[v] = i;
            steps[i] = CreateStep(node, nested);
        }
        foreach (var v in block.Returns) lastUse[v] = nodes.Count;

        // Each block drops only the values it defines; those of enclosing blocks live until the node owning this
        // block is done. A value nothing reads is dropped where it is defined.
        int LastUse(Value v, int fallback) => lastUse.TryGetValue(v, out int at) ? at : fallback;
        var dead = new List<int>[nodes.Count + 2];
        void Drop(Value v, int at) => (dead[at + 1] ??= []).Add(v.Id);
        foreach (var p in block.Params) Drop(p, LastUse(p, -1));
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (var r in nodes[i].Results) Drop(r, LastUse(r, i));
        }
        int[] DeadAt(int position) => dead[position + 1] is { } ids ? [.. ids] : [];
        for (int i = 0; i < nodes.Count; i++) steps[i].Dead = DeadAt(i);
        outer = [.. lastUse.Keys.Where(v => v.DefiningBlock != block)];
        return new BlockPlan(
            [.. block.Params.Select(p => p.Id)], steps, [.. block.Returns.Select(r => r.Id)], DeadAt(-1), DeadAt(nodes.Count));
    }

    private Step CreateStep(Node node, BlockPlan[] blocks) => node.Kind switch
    {
        NodeKind.Op => new OpStep(node),
        NodeKind.Constant => new ConstantStep(node, node.Constant is TensorConstant t ? tensorConstant(t) : null),
        NodeKind.If => new IfNodeStep(node, blocks[0], blocks[1]),
        NodeKind.Loop => new LoopNodeStep(node, blocks[0]),
        NodeKind.TupleConstruct or NodeKind.ListConstruct => new PackStep(node),
        NodeKind.TupleGet => new TupleGetStep(node),
        NodeKind.ListGet => new ListGetStep(node),
        NodeKind.Prim => new PrimStep(node),
        NodeKind.Call => CompiledKernelStep.Create(node, Plan(node.Callee!)),
        _ => throw new NotSupportedException($"the executor cannot run {node.Kind} nodes ({node})"),
    };
}
