using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Replaces a group's nodes with a call of a new graph holding copies of them: the callee takes the
/// values the group reads from outside as inputs, in first-use order (inline constants of concrete
/// shape are copied in instead), and returns the members' results that are read outside the group,
/// each once however many ways it escapes. A group's head (matrix product or convolution) is the callee's first
/// op: it reads only values from outside the group, so it may run before members that precede it in the block.
/// </summary>
internal static class GroupOutliner
{
    /// <summary>
    /// Outlines <paramref name="members"/> (nodes of <paramref name="view"/>'s block, in block order, which
    /// <see cref="FusionBlock.Conflict"/> accepts) into a callee named <paramref name="calleeName"/>; returns the call.
    /// </summary>
    public static Node Outline(FusionBlock view, IReadOnlyList<Node> members, string calleeName)
    {
        var set = members.ToHashSet();
        var callee = new Graph(calleeName);
        var map = new Dictionary<Value, Value>();
        var inputs = new List<Value>();
        var copiedConstants = new List<Node>();
        foreach (var member in members.OrderBy(m => m.Op is { } op && FusionEligibility.HeadOps.Contains(op.Name) ? 0 : 1))
        {
            foreach (var operand in member.Operands)
            {
                if (map.ContainsKey(operand)) continue;
                if (FusionEligibility.IsCopiedConstant(operand.Producer))
                {
                    var constant = operand.Producer!;
                    var copied = callee.Body.Append(callee.CreateNodeLike(constant, [], [operand.Type])).Result;
                    copied.Name = operand.Name;
                    map[operand] = copied;
                    copiedConstants.Add(constant);
                }
                else
                {
                    map[operand] = callee.AddInput(operand.Name ?? "in" + inputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), operand.Type);
                    inputs.Add(operand);
                }
            }
            var copy = callee.CreateNodeLike(member, member.Operands.Select(o => map[o]), [member.Result.Type]);
            copy.Span = member.Span;
            copy.Result.Name = member.Result.Name;
            map[member.Result] = callee.Body.Append(copy).Result;
        }
        var outputs = members.Select(m => m.Result).Where(r => r.Uses.Any(u => u.User is null || !set.Contains(u.User))).ToArray();
        callee.SetOutputs(outputs.Select(o => map[o]));

        var call = view.Block.Graph.CreateCallNode(callee, inputs, outputs.Select(o => o.Type));
        call.Span = members[^1].Span;
        view.Block.Insert(view.CallPosition(members), call);
        for (int i = 0; i < outputs.Length; i++)
        {
            call.Results[i].Name = outputs[i].Name;
            foreach (var use in outputs[i].Uses.ToArray())
            {
                if (use.User is { } user && set.Contains(user)) continue;
                if (use.User is { } reader) reader.SetOperand(use.Index, call.Results[i]);
                else use.ReturnOf!.SetReturn(use.Index, call.Results[i]);
            }
        }
        for (int i = members.Count - 1; i >= 0; i--) view.Block.Remove(members[i]);
        // Constants of enclosing blocks are left to dce: only this block's positions are refreshed.
        foreach (var constant in copiedConstants.Where(c => c.Owner == view.Block).Distinct()) Rewriting.RemoveIfDead(constant);
        view.Refresh();
        return call;
    }
}
