using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// The row ops a fused row group may hold as themselves (softmax, log_softmax and layer norm along the last dim, so
/// that a group run op by op — when grad is needed — runs the eager ops and keeps their bits), written out for the row
/// kernel generator as the row reductions and elementwise ops of their decompositions.
/// </summary>
internal static class RowOpExpansion
{
    /// <summary>
    /// <paramref name="callee"/> itself when it holds no row op, else a copy (same name, inputs and outputs) with each
    /// row op decomposed.
    /// </summary>
    internal static Graph Expand(Graph callee)
    {
        if (!callee.Body.Nodes.Any(n => n.Op is { } op && FusionPass.RowOps.Contains(op.Name))) return callee;
        var copy = GraphCloner.Clone(callee);
        new Decompose(FusionPass.RowOps).Run(copy, new PassContext());
        return copy;
    }
}
