using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Lays out a transposed matrix row-major once when several matrix products read it as their right operand: a
/// <c>clone</c> of the <c>transpose</c> is inserted right after it and those products read the clone. Each product on
/// a transposed view packs (transposes) all of it again, which for a recurrence's W_hhᵀ at a small batch costs over
/// a third of the product; a row-major right operand is read in place by Kiln's GEMM. Values do not change, only the
/// layout the runtime sees, so this runs after <c>canonicalize</c> (which drops such a clone as changing nothing).
/// </summary>
public sealed class RowMajorWeights : IGraphPass
{
    /// <summary>The name pipelines use.</summary>
    public const string PassName = "row-major-weights";

    /// <summary>Products reading one transposed matrix from which copying it once pays for itself.</summary>
    private const int MinProducts = 2;

    /// <inheritdoc/>
    public string Name => PassName;

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(graph);
        bool changed = false;
        foreach (var node in graph.AllNodes().Where(IsMatrixTranspose).ToList())
        {
            var products = node.Result.Uses.Where(u => u.User is { Op.Name: "matmul" } && u.Index == 1).ToList();
            if (products.Count < MinProducts) continue;
            var block = node.Owner!;
            var copy = GraphBuilder.Before(block.Nodes[block.IndexOf(node) + 1]).Add("clone", [node.Result]);
            foreach (var use in products) use.User!.SetOperand(use.Index, copy);
            changed = true;
        }
        return changed;
    }

    /// <summary>A transpose of a 2-d tensor (a matrix's rows and columns swapped).</summary>
    private static bool IsMatrixTranspose(Node node) =>
        node.Op?.Name == "transpose" && node.Results.Count == 1 && node.Result.Type is TensorValueType { Rank: 2 };
}
