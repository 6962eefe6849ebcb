using System.Runtime.CompilerServices;
using Kiln.Graphs;
using Kiln.IR;
using static Kiln.Tests.GraphExecution.Models;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>The executor drops each value after its last use, and lets autograd record through the graph.</summary>
public sealed class ExecutorLifetimeTests
{
    /// <summary>a = relu(x); b = neg(a); c = relu(b); d = neg(c); e = add(d, a): a lives until e, the rest one step.</summary>
    private static (IrGraph Graph, Value[] Steps) Chain()
    {
        var g = new IrGraph("chain");
        var x = g.AddInput("x", F32(Batch, 4));
        var b = new GraphBuilder(g);
        var a = b.Add("relu", [x]);
        var bb = b.Add("neg", [a]);
        var c = b.Add("relu", [bb]);
        var d = b.Add("neg", [c]);
        var e = b.Add("add", [d, a]);
        b.Return(e);
        return (g, [a, bb, c, d, e]);
    }

    [Fact]
    public void Values_are_dropped_right_after_their_last_use()
    {
        var (g, steps) = Chain();
        var executor = new GraphExecutor(g);
        var held = new List<string>();
        executor.Observer = (node, slots) =>
            held.Add(string.Join(",", Enumerable.Range(0, slots.Count).Where(i => slots[i] is not null).Select(i => Array.FindIndex(steps, v => v.Id == i))));

        executor.Run(Tensor.Ones(2, 4));

        // After each node, the indices (into steps) of the values still held; -1 would be the input x.
        Assert.Equal(["0", "0,1", "0,2", "0,3", "4"], held);
    }

    [Fact]
    public void Dropped_intermediates_can_be_collected_while_the_graph_runs()
    {
        var (g, steps) = Chain();
        var executor = new GraphExecutor(g);
        WeakReference? negated = null;
        bool collectedWhileHeld = true, collectedAfterLastUse = false;
        executor.Observer = (node, slots) =>
        {
            if (node == steps[1].Producer)
            {
                negated = WeakTo(slots[steps[1].Id]);
                collectedWhileHeld = Collected(negated);
            }
            if (node == steps[2].Producer) collectedAfterLastUse = Collected(negated!);
        };

        executor.Run(Tensor.Ones(2, 4));

        Assert.False(collectedWhileHeld);
        Assert.True(collectedAfterLastUse);
    }

    [Fact]
    public void Values_a_loop_body_reads_from_outside_live_until_the_loop_ends()
    {
        // w = relu(x), read only inside the loop body; it must survive every iteration and be dropped after the loop.
        var g = new IrGraph("looped");
        var x = g.AddInput("x", F32(2));
        var b = new GraphBuilder(g);
        var w = b.Add("relu", [x]);
        var loop = b.Loop(b.Constant(3L), [x], (body, i, carried) => new LoopStep([body.Add("add", [carried[0], w])]));
        b.Return(loop);
        var loopNode = loop[0].Producer!;
        var executor = new GraphExecutor(g);
        var wHeld = new List<(string Node, bool Held)>();
        executor.Observer = (node, slots) => wHeld.Add((node.Name, slots[w.Id] is not null));

        var result = Assert.IsType<Tensor>(Assert.Single(executor.Run(Tensor.FromArray(new float[] { 1, -1 }))));

        Assert.Equal([4f, -1], result.ToArray<float>());
        Assert.Equal(3, wHeld.Count(h => h.Node == "add"));
        Assert.All(wHeld.Where(h => h.Node == "add"), h => Assert.True(h.Held));
        Assert.False(wHeld[^1].Held);
        Assert.Equal("loop", wHeld[^1].Node);
    }

    [Fact]
    public void Autograd_records_through_the_executor_and_matches_eager_gradients()
    {
        var model = Models.Get("mlp");
        var reference = GraphReference.Load("mlp");
        Dictionary<string, Tensor> Leaves() => reference.Parameters.ToDictionary(p => p.Key, p => p.Value.Clone().RequiresGrad_(), StringComparer.Ordinal);
        var (graphParams, eagerParams) = (Leaves(), Leaves());
        var input = reference.Input(reference.Batches[0], "x");
        var (graphX, eagerX) = (input.Clone().RequiresGrad_(), input.Clone().RequiresGrad_());

        var fromGraph = Assert.IsType<Tensor>(Assert.Single(new GraphExecutor(model.Build(), graphParams).Run(graphX)));
        Assert.NotNull(fromGraph.GradFn);
        fromGraph.Square().Sum().Backward();
        model.Eager(eagerParams, [eagerX])[0].Square().Sum().Backward();

        TensorAssert.BitwiseEqual(eagerX.Grad!, graphX.Grad!, "input gradient");
        foreach (var name in eagerParams.Keys) TensorAssert.BitwiseEqual(eagerParams[name].Grad!, graphParams[name].Grad!, name + " gradient");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference WeakTo(object? value) => new(Assert.IsType<Tensor>(value));

    private static bool Collected(WeakReference reference)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return !reference.IsAlive;
    }
}
