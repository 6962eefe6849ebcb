using Kiln.Graphs;
using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Scripting;

/// <summary>
/// The pipeline <see cref="ScriptModule.Optimize"/> runs on each graph of a script module before the executor plans it:
/// <c>O1</c> (fold constants, merge common subexpressions, drop dead code), <c>row-major-weights</c> (a transposed weight
/// that several products read, such as a recurrence's W_hhᵀ, copied row-major once so the GEMM reads it in place instead
/// of packing it per product), then <c>fuse</c> (elementwise, epilogue and row groups into <c>_fused_</c> callees, which
/// the executor runs as LLVM-compiled kernels). Fusion comes last: the passes before it
/// do not look into callees, and autodiff refuses calls.
/// </summary>
internal static class GraphOptimizer
{
    /// <summary>The pipeline, as <c>kiln opt --passes</c> takes it.</summary>
    internal const string Pipeline = "O1," + RowMajorWeights.PassName + "," + FusionPass.PassName;

    /// <summary>An optimised copy of <paramref name="graph"/> (the graph itself is left as it is, so executors planned on it stay valid).</summary>
    /// <exception cref="PassException">A pass failed or left an invalid graph.</exception>
    internal static Graph Optimize(Graph graph)
    {
        var copy = GraphCloner.Clone(graph);
        PassManager.Parse(Pipeline, verifyEach: false).Run(copy, new PassContext { Evaluator = RuntimeConstantEvaluator.Evaluate });
        GraphVerifier.Verify(copy);
        return copy;
    }

    /// <summary>
    /// The entries of <paramref name="bindings"/> that <paramref name="graph"/> still binds (its parameters and tensor
    /// constants, in it or a callee): the passes may have dropped constants the unoptimised graph read.
    /// </summary>
    internal static Dictionary<string, Tensor> BindingsOf(Graph graph, IReadOnlyDictionary<string, Tensor> bindings)
    {
        var names = graph.Parameters.Select(p => p.Name ?? "").ToHashSet(StringComparer.Ordinal);
        foreach (var g in GraphModule.CalleesFirst([graph]))
        {
            foreach (var node in g.AllNodes())
            {
                if (node.Constant is TensorConstant constant) names.Add(constant.Name);
            }
        }
        return bindings.Where(b => names.Contains(b.Key)).ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal);
    }
}
