using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Which values of a graph's body may give their buffers back to the pool after which step, planned once: after step
/// <c>i</c>, the slots of its results gain a reference to their storage and the slots dying there (<see cref="Step.Dead"/>)
/// lose theirs, except the body's parameters and tensor constants, whose storage the caller or the graph holds: they are
/// counted once and never let go (the run also counts every tensor constant of the graph and its callees once, for those
/// a nested block hands out), so nothing that shares their storage is ever recycled. The returns die only after the
/// run, so an output and every view of it keeps its storage. Nested blocks are not counted: their values are all dead
/// once the node owning the block is done, and what they hand out becomes that node's results, which are counted.
/// </summary>
internal sealed class BufferReusePlan
{
    private BufferReusePlan(int[] parameters, int[][] results, int[][] dying)
    {
        Parameters = parameters;
        Results = results;
        Dying = dying;
    }

    /// <summary>The body's parameter slots (the graph's inputs and parameters): counted at the start, never released.</summary>
    internal int[] Parameters { get; }

    /// <summary>Per step, the slots of its results.</summary>
    internal int[][] Results { get; }

    /// <summary>Per step, the slots dying after it that may release their storage.</summary>
    internal int[][] Dying { get; }

    /// <summary>The plan for <paramref name="body"/>, a graph's body, run by <paramref name="steps"/>.</summary>
    internal static BufferReusePlan For(Block body, Step[] steps)
    {
        var held = new HashSet<int>(body.Params.Select(p => p.Id));
        foreach (var node in body.Nodes)
        {
            if (node.Kind == NodeKind.Constant && node.Constant is TensorConstant) held.Add(node.Result.Id);
        }
        return new BufferReusePlan(
            [.. body.Params.Select(p => p.Id)],
            [.. body.Nodes.Select(n => n.Results.Select(r => r.Id).ToArray())],
            [.. steps.Select(s => s.Dead.Where(slot => !held.Contains(slot)).ToArray())]);
    }
}
