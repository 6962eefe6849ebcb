using Kiln.Graphs;
using Kiln.Scripting;

namespace Kiln;

// Optimising the graphs (O1 + fusion into compiled kernels) and measuring their memory.
public sealed partial class ScriptModule
{
    private bool optimized;

    /// <summary>
    /// Whether <see cref="Optimize"/> was called: constants folded, common subexpressions merged, dead code dropped and
    /// elementwise ops fused into kernels compiled by LLVM. A loaded module runs its stored graphs as they were saved
    /// (fused when the saved module was optimised) and is not optimised further unless asked.
    /// </summary>
    public bool IsOptimized
    {
        get
        {
            lock (gate) return optimized;
        }
    }

    /// <summary>
    /// Optimises every graph this module has made and every graph it makes from now on, before the executor plans it:
    /// the pipeline <c>O1,row-major-weights,fuse</c> (as <c>kiln opt --passes</c> takes it), whose fused groups (elementwise
    /// ops, epilogues of matrix products and convolutions, and row groups: softmax, log_softmax and layer norm with their
    /// neighbours) run as LLVM-compiled kernels
    /// (interpreted where LLVM is missing or cannot compile them). Returns this module. <see cref="Graph"/> and
    /// <see cref="Graphs"/> then give the optimised graphs, and <see cref="Save(string)"/> stores them with their fused
    /// callees.
    /// </summary>
    /// <remarks>
    /// Training still works and gives the eager gradients: when grad is needed a fused group runs op by op, each op
    /// recording autograd as in eager mode, so only inference runs the compiled kernels. Outputs may differ from the
    /// unoptimised graph's in the last bits where a compiled kernel rounds differently (vectorised <c>exp</c>, fused
    /// multiply-add). Like <c>torch.jit.optimize_for_inference</c>, but in place and without freezing the parameters.
    /// </remarks>
    /// <exception cref="Passes.PassException">A pass failed on a graph (a bug in the pass; the message names it and the graph).</exception>
    public ScriptModule Optimize()
    {
        lock (gate)
        {
            if (optimized) return this;
            var done = graphs.Select(Optimized).ToList();
            graphs.Clear();
            graphs.AddRange(done);
            last = graphs.LastOrDefault();
            optimized = true;
        }
        return this;
    }

    /// <summary>
    /// Runs the graph for <paramref name="inputs"/> once (writing state as <see cref="Run"/> does) and measures the tensor
    /// memory it creates: the peak bytes alive as the executor frees each value after its last use, and the bytes of
    /// every tensor created (<see cref="GraphMemoryReport"/>).
    /// </summary>
    /// <exception cref="ScriptException">No graph exists yet for these inputs and making one fails.</exception>
    public GraphMemoryReport MeasureMemory(params Tensor[] inputs)
    {
        var lowered = Lower(inputs);
        var (report, outputs) = GraphMemory.Measure(lowered.Executor, [.. inputs]);
        StoreState(lowered, outputs);
        return report;
    }

    /// <summary><paramref name="lowered"/> with its graph optimised and planned again.</summary>
    private static Lowered Optimized(Lowered lowered)
    {
        var graph = GraphOptimizer.Optimize(lowered.Graph);
        var bindings = GraphOptimizer.BindingsOf(graph, lowered.Bindings);
        int own = graph.Outputs.Count - lowered.Updates.Count;
        return new Lowered(lowered.Modes, graph, new GraphExecutor(graph, bindings),
            [.. lowered.Updates.Select((u, i) => u with { Value = graph.Outputs[own + i] })], bindings);
    }
}
