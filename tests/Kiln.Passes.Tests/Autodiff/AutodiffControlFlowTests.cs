using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;
using static Kiln.Passes.Tests.Autodiff.AutodiffGraphs;

namespace Kiln.Passes.Tests.Autodiff;

public class AutodiffControlFlowTests
{
    [Fact]
    public void An_if_is_differentiated_by_an_if_on_the_same_condition()
    {
        var g = Branchy();
        var forward = g.Body.Nodes.Single(n => n.Kind == NodeKind.If);
        var w = g.Parameters[0];
        Run(g, "autodiff");
        var ifs = g.Body.Nodes.Where(n => n.Kind == NodeKind.If).ToArray();
        Assert.Equal(2, ifs.Length);
        var backward = ifs[1];
        Assert.Same(forward.Operands[0], backward.Operands[0]);
        // Its results are the gradients of the outer values the branches use: xw and w.
        Assert.Equal([F32(4), F32(4)], backward.Results.Select(r => r.Type));
        // The then branch recomputes relu(xw) (threshold_backward reads it); the else branch's gradient
        // (-2 * grad) needs no recompute of neg(w): its copy was pruned.
        Assert.Contains(backward.Blocks[0].Nodes, n => n.Name == "relu");
        Assert.DoesNotContain(backward.Blocks[1].Nodes, n => n.Operands.Contains(w));
        // The else branch does not use xw: its gradient there is zeros.
        Assert.IsType<DenseConstant>(backward.Blocks[1].Returns[0].Producer!.Constant);
    }

    [Fact]
    public void An_if_whose_branches_use_no_active_value_gets_no_backward()
    {
        var g = Branchy();
        Run(g, "autodiff{wrt=x}");
        // x reaches the branches only through xw; the if's backward returns xw's gradient.
        Assert.Equal(2, g.Body.Nodes.Count(n => n.Kind == NodeKind.If));
        var h = new IR.Graph("constant_branches");
        var w = h.AddParameter("w", F32(2));
        var flag = h.AddInput("flag", ScalarType.Bool);
        var b = new GraphBuilder(h);
        var picked = b.If(flag, t => [t.Constant(DenseConstant.Splat(F32(2), 1))], e => [e.Constant(DenseConstant.Splat(F32(2), 2))]);
        b.Return(b.Add("mul", [picked[0], w]));
        Run(h, "autodiff");
        Assert.Single(h.Body.Nodes, n => n.Kind == NodeKind.If);
    }

    [Fact]
    public void A_loop_saves_its_carried_inputs_and_its_backward_loops_over_them_in_reverse()
    {
        var g = Recurrence();
        var forward = g.Body.Nodes.Single(n => n.Kind == NodeKind.Loop);
        Run(g, "autodiff");
        // The forward loop carries one more value: the list of each iteration's (h, count).
        Assert.Equal(3, forward.Results.Count);
        var saved = forward.Results[2];
        Assert.Equal(new ListType(new TupleType([F32(2, 3), ScalarType.Int])), saved.Type);
        Assert.Equal(NodeKind.ListConstruct, forward.Operands[4].Producer!.Kind);
        Assert.Contains(forward.Blocks[0].Nodes, n => n.Name == "list_append");
        // The backward loop runs list_len(saved) times and reads the saved inputs with list_get.
        var backward = g.Body.Nodes.Where(n => n.Kind == NodeKind.Loop).Last();
        Assert.NotSame(forward, backward);
        Assert.Equal("list_len", backward.Operands[0].Producer!.Name);
        Assert.Contains(backward.Blocks[0].Nodes, n => n.Kind == NodeKind.ListGet && n.Operands[0] == saved);
        // It carries h's gradient and w's accumulated gradient.
        Assert.Equal([F32(2, 3), F32(3, 3)], backward.Results.Select(r => r.Type));
        Assert.Equal(backward.Results[1], g.Outputs[1]);
    }

    [Fact]
    public void The_joint_graph_of_a_loop_prints_and_parses_back()
    {
        var text = Run(Recurrence(), "autodiff{wrt=w,h0}").ToString();
        Assert.Equal(text, KirParser.Parse(text).ToString());
    }

    [Fact]
    public void The_lstm_loop_over_a_list_of_inputs_differentiates_with_respect_to_its_weights()
    {
        var g = Run(Run(LstmLoop(), "specialize{b=3}"), "autodiff{wrt=cell.weight_ih,cell.weight_hh,h}");
        Assert.Equal(5, g.Outputs.Count);
        Assert.Equal(F32(80, 10), g.Outputs[2].Type);
        Assert.Equal(F32(3, 20), g.Outputs[4].Type);
    }

    [Fact]
    public void A_loop_inside_an_if_branch_is_differentiated_in_the_branch_recompute()
    {
        var g = new IR.Graph("nested");
        var flag = g.AddInput("flag", ScalarType.Bool);
        var steps = g.AddInput("steps", ScalarType.Int);
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g);
        var result = b.If(flag,
            t => t.Loop(steps, [w], (body, i, c) => new LoopStep([body.Add("sin", [c[0]])])),
            e => [e.Add("exp", [w])]);
        b.Return(result);
        var forwardLoop = g.AllNodes().Single(n => n.Kind == NodeKind.Loop);
        Run(g, "autodiff");
        // The forward loop is untouched; the copy in the backward then-branch saves its inputs.
        Assert.Single(forwardLoop.Results);
        var backwardIf = g.Body.Nodes.Last(n => n.Kind == NodeKind.If);
        Assert.Equal(2, backwardIf.Blocks[0].Nodes.Count(n => n.Kind == NodeKind.Loop));
    }
}
