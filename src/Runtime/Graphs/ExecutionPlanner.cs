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
    // The graph whose blocks are being planned (its constants are collected into its plan).
    private GraphPlan? current;

    /// <summary>Whether the plans made here give buffers back to the pool after their last use.</summary>
    internal BufferReuseSwitch Reuse { get; } = new();

    /// <summary>The plan of <paramref name="graph"/>.</summary>
    /// <exception cref="NotSupportedException">A node has a kind or primitive the executor cannot run.</exception>
    internal GraphPlan Plan(Graph graph)
    {
        // A caller's run records autograd when a constant of a graph it calls requires grad: the caller collects those too.
        if (graphs.TryGetValue(graph, out var plan))
        {
            if (current is not null && current != plan) current.Constants.AddRange(plan.Constants);
            return plan;
        }
        plan = new GraphPlan(graph, Reuse);
        graphs.Add(graph, plan);
        var caller = current;
        current = plan;
        try
        {
            var body = PlanBlock(graph.Body, out _);
            body.Reuse = BufferReusePlan.For(graph.Body, body.Steps);
            plan.Body = body;
        }
        finally
        {
            current = caller;
        }
        caller?.Constants.AddRange(plan.Constants);
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
        RowChainStep.Group(steps);

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
        NodeKind.Constant => new ConstantStep(node, node.Constant is TensorConstant t ? Held(tensorConstant(t)) : null),
        NodeKind.If => new IfNodeStep(node, blocks[0], blocks[1]),
        NodeKind.Loop => new LoopNodeStep(node, blocks[0]),
        NodeKind.TupleConstruct or NodeKind.ListConstruct => new PackStep(node),
        NodeKind.TupleGet => new TupleGetStep(node),
        NodeKind.ListGet => new ListGetStep(node),
        NodeKind.Prim => new PrimStep(node),
        NodeKind.Call => CompiledKernelStep.Create(node, Plan(node.Callee!)),
        _ => throw new NotSupportedException($"the executor cannot run {node.Kind} nodes ({node})"),
    };

    private Tensor Held(Tensor constant)
    {
        current!.Constants.Add(constant);
        return constant;
    }
}
