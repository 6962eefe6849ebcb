using Kiln.IR;

namespace Kiln.Passes;

internal sealed partial class BackwardRegion
{
    /// <summary>
    /// The backward of an if: an if on the same condition whose branches recompute the forward branch (a
    /// copy) and backpropagate through it, returning the gradients of the outer values the branches use
    /// (zeros where a branch does not use one). Those gradients are then summed in like any operand's.
    /// </summary>
    private void IfBackward(Node node)
    {
        var outer = OuterActiveValues(node);
        if (outer.Count == 0) return;
        CheckRecomputable(node);
        var resultGradients = node.Results.Select(r => gradients.GetValueOrDefault(r)).ToArray();
        var backward = builder.If(node.Operands[0],
            then => BranchBackward(node.Blocks[0], then, resultGradients, outer),
            otherwise => BranchBackward(node.Blocks[1], otherwise, resultGradients, outer));
        PruneBlocks(backward[0].Producer!);
        for (int j = 0; j < outer.Count; j++) Accumulate(outer[j], backward[j]);
    }

    /// <summary>One branch of an if's backward: the forward branch copied, seeded with the if's result gradients.</summary>
    private IReadOnlyList<Value> BranchBackward(Block forward, GraphBuilder branch, Value?[] resultGradients, IReadOnlyList<Value> outer)
    {
        var map = new Dictionary<Value, Value>();
        var returns = GraphCloner.CloneInto(forward, branch.Block, map);
        var copies = branch.Block.Nodes.ToArray();
        scope.RecordClone(forward, copies, map);
        scope.Activity.Analyze(copies);
        var region = new BackwardRegion(scope, branch);
        for (int k = 0; k < returns.Count; k++)
        {
            if (resultGradients[k] is { } g) region.Accumulate(returns[k], g);
        }
        var found = region.Backward(copies, outer);
        return [.. found.Select((g, j) => g ?? region.Zeros(outer[j]))];
    }
}
