using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>Runs an if: the then or else block by the condition (a <c>bool</c> or a 0-d bool tensor, read from the data).</summary>
internal sealed class IfNodeStep(Node node, BlockPlan then, BlockPlan otherwise) : Step(node)
{
    internal override void Execute(Frame frame)
    {
        var branch = ScalarValues.Condition(Operand(frame, 0), "the condition") ? then : otherwise;
        SetResults(frame, branch.Run(frame, []));
    }
}

/// <summary>
/// Runs a loop: at most the trip count iterations while the condition holds, passing the iteration index
/// and the carried values to the body, which returns the next condition and carried values.
/// </summary>
internal sealed class LoopNodeStep(Node node, BlockPlan body) : Step(node)
{
    internal override void Execute(Frame frame)
    {
        long trips = ScalarValues.Integer(Operand(frame, 0), "the trip count");
        bool go = ScalarValues.Condition(Operand(frame, 1), "the initial condition");
        var carried = new object?[Operands.Length - 2];
        for (int k = 0; k < carried.Length; k++) carried[k] = Operand(frame, k + 2);
        var arguments = new object?[carried.Length + 1];
        for (long i = 0; i < trips && go; i++)
        {
            arguments[0] = i;
            carried.CopyTo(arguments, 1);
            var yielded = body.Run(frame, arguments);
            go = ScalarValues.Condition(yielded[0], "the condition the body returns");
            Array.Copy(yielded, 1, carried, 0, carried.Length);
        }
        SetResults(frame, carried);
    }
}
