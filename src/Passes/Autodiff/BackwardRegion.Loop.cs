using Kiln.IR;

namespace Kiln.Passes;

internal sealed partial class BackwardRegion
{
    /// <summary>
    /// The backward of a loop. The forward loop is extended to carry one more value, the list of each
    /// iteration's carried inputs (a tuple per iteration, appended with <c>list_append</c>). A backward loop
    /// then runs for that list's length, last iteration first: it takes the iteration's carried inputs with
    /// <c>list_get</c>, recomputes the body (a copy) and backpropagates through it, carrying the gradients
    /// of the active carried values and summing the gradients of the outer values the body reads.
    /// </summary>
    private void LoopBackward(Node node)
    {
        var body = node.Blocks[0];
        int carriedCount = node.Results.Count;
        var active = Enumerable.Range(0, carriedCount).Where(k => body.Params[1 + k].Type is TensorValueType && scope.Activity.IsActive(body.Params[1 + k])).ToArray();
        var outer = OuterActiveValues(node);
        if (active.Length == 0 && outer.Count == 0) return;
        CheckRecomputable(node);
        var carriedTypes = body.Params.Skip(1).Select(p => p.Type).ToArray();
        var savedType = new ListType(new TupleType(carriedTypes));
        var saved = node.AddResult(savedType);

        var iterations = builder.Prim("list_len", [saved]);
        var last = builder.Prim("scalar_sub", [iterations, builder.Constant(1L)]);
        Value[] initial =
        [
            .. active.Select(k => gradients.GetValueOrDefault(node.Results[k]) ?? Zeros(node.Results[k])),
            .. outer.Select(Zeros),
        ];
        var backward = builder.Loop(iterations, initial, (step, index, carried) =>
        {
            var iteration = step.Prim("scalar_sub", [last, index]);
            var inputs = step.ListGet(saved, iteration);
            var map = new Dictionary<Value, Value> { [body.Params[0]] = iteration };
            for (int k = 0; k < carriedCount; k++)
            {
                map[body.Params[1 + k]] = step.TupleGet(inputs, k);
                if (scope.Activity.IsActive(body.Params[1 + k])) scope.Activity.Mark(map[body.Params[1 + k]]);
            }
            int first = step.Block.Nodes.Count;
            var returns = GraphCloner.CloneInto(body, step.Block, map);
            var copies = step.Block.Nodes.Skip(first).ToArray();
            scope.RecordClone(body, copies, map);
            scope.Activity.Analyze(copies);
            var region = new BackwardRegion(scope, step);
            for (int j = 0; j < active.Length; j++) region.Accumulate(returns[1 + active[j]], carried[j]);
            var found = region.Backward(copies, [.. active.Select(k => map[body.Params[1 + k]]), .. outer]);
            Value[] next =
            [
                .. active.Select((k, j) => found[j] ?? region.Zeros(body.Params[1 + k])),
                .. outer.Select((v, j) => found[active.Length + j] is { } g ? step.Add("add", [carried[active.Length + j], g]) : carried[active.Length + j]),
            ];
            return new LoopStep(next);
        });
        PruneBlocks(backward[0].Producer!);
        SaveCarriedInputs(node, savedType);
        for (int j = 0; j < active.Length; j++) Accumulate(node.Operands[2 + active[j]], backward[j]);
        for (int j = 0; j < outer.Count; j++) Accumulate(outer[j], backward[active.Length + j]);
    }

    /// <summary>
    /// Extends the forward loop (whose last result, of type <paramref name="savedType"/>, is already added) to
    /// carry the list of its iterations' carried inputs, starting from an empty list made before the loop.
    /// </summary>
    private static void SaveCarriedInputs(Node loop, ListType savedType)
    {
        var body = loop.Blocks[0];
        var carried = body.Params.Skip(1).ToArray();
        loop.AddOperand(GraphBuilder.Before(loop).List(savedType.Element));
        var list = body.AddParam(savedType, "saved");
        var inBody = new GraphBuilder(body) { Span = loop.Span };
        var appended = inBody.Prim("list_append", [list, inBody.Tuple(carried)]);
        body.SetReturns([.. body.Returns, appended]);
    }
}
