using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;
using static Kiln.Passes.Tests.Autodiff.AutodiffGraphs;

namespace Kiln.Passes.Tests.Autodiff;

public class AutodiffPassTests
{
    [Fact]
    public void The_joint_graph_takes_a_seed_per_output_and_returns_a_gradient_per_parameter()
    {
        var g = Run(SmallMlp(), "autodiff");
        Assert.Equal(["x", "grad_0"], g.Inputs.Select(v => v.Name));
        Assert.Equal(5, g.Outputs.Count);
        var parameters = g.Parameters;
        for (int j = 0; j < parameters.Count; j++)
        {
            Assert.Equal(parameters[j].Type, g.Outputs[1 + j].Type);
            Assert.Equal("grad_" + parameters[j].Name, g.Outputs[1 + j].Name);
        }
        Assert.Empty(GraphVerifier.Check(g));
    }

    [Fact]
    public void The_joint_graph_prints_and_parses_back()
    {
        var text = Run(SmallMlp(), "autodiff").ToString();
        Assert.Equal(text, KirParser.Parse(text).ToString());
    }

    [Fact]
    public void Seed_ones_seeds_a_0d_loss_with_the_constant_1()
    {
        var g = Run(SmallMlpLoss(), "autodiff{seed=ones}");
        Assert.Equal(["x", "target"], g.Inputs.Select(v => v.Name));
        Assert.Contains(g.Body.Nodes, n => n.Constant is DenseConstant { IsSplat: true, Type.Rank: 0 } d && d.Values[0] == 1);
    }

    [Fact]
    public void Without_seed_ones_a_0d_loss_takes_a_seed_input()
    {
        var g = Run(SmallMlpLoss(), "autodiff");
        Assert.Equal(["x", "target", "grad_0"], g.Inputs.Select(v => v.Name));
        Assert.Equal(TensorValueType.Of(DType.Float32), g.Inputs[2].Type);
    }

    [Fact]
    public void Gradients_come_in_wrt_order_and_only_for_wrt()
    {
        var g = Run(SmallMlp(), "autodiff{wrt=fc2.bias,x}");
        Assert.Equal(3, g.Outputs.Count);
        Assert.Equal(F32(3), g.Outputs[1].Type);
        Assert.Equal(F32(4, 8), g.Outputs[2].Type);
    }

    [Fact]
    public void A_bias_gradient_alone_needs_no_matrix_product()
    {
        var g = SmallMlp();
        int forward = g.Body.Nodes.Count;
        Run(g, "autodiff{wrt=fc2.bias}");
        var ops = BackwardOps(g, forward);
        Assert.NotEmpty(ops);
        Assert.DoesNotContain("matmul", ops);
        Assert.DoesNotContain("mm", ops);
        Assert.DoesNotContain("linear", ops);
    }

    [Fact]
    public void A_branch_that_does_not_reach_wrt_gets_no_backward()
    {
        // out0 = tanh(x) * 2 does not depend on w; out1 = sigmoid(w) does.
        var g = new IR.Graph("two");
        var x = g.AddInput("x", F32(3));
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g);
        var t = b.Add("tanh", [x]);
        var scaled = b.Add("mul", [t, x]);
        b.Return(scaled, b.Add("sigmoid", [w]));
        int forward = g.Body.Nodes.Count;
        Run(g, "autodiff");
        Assert.Single(t.Uses);
        Assert.Single(scaled.Uses);
        Assert.Empty(g.Inputs.Single(v => v.Name == "grad_0").Uses);
        // Only sigmoid's rule: grad * y * (1 - y).
        Assert.Equal(["mul", "constant", "sub", "mul"], BackwardOps(g, forward));
    }

    [Fact]
    public void A_parameter_no_output_depends_on_gets_zeros()
    {
        var g = new IR.Graph("unused");
        var x = g.AddInput("x", F32(2, 3));
        g.AddParameter("w", F32(5));
        var b = new GraphBuilder(g);
        b.Return(b.Add("exp", [x]));
        Run(g, "autodiff");
        var zero = g.Outputs[1].Producer!.Constant as DenseConstant;
        Assert.NotNull(zero);
        Assert.Equal([0.0], zero.Values);
        Assert.Equal(F32(5), zero.Type);
    }

    [Fact]
    public void Gradients_of_a_value_used_twice_are_summed()
    {
        var g = new IR.Graph("twice");
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g);
        b.Return(b.Add("add", [b.Add("exp", [w]), b.Add("sin", [w])]));
        Run(g, "autodiff");
        var sum = g.Outputs[1].Producer!;
        Assert.Equal("add", sum.Name);
        var parts = sum.Operands.Select(o => o.Producer!).ToArray();
        Assert.All(parts, p => Assert.Equal("mul", p.Name));
        // One term reads exp(w) (exp's rule uses its output), the other cos(w).
        Assert.Contains(parts, p => p.Operands.Any(o => o.Producer?.Name == "exp"));
        Assert.Contains(parts, p => p.Operands.Any(o => o.Producer?.Name == "cos"));
    }

    [Fact]
    public void An_op_reading_a_value_twice_sums_both_gradients()
    {
        var g = new IR.Graph("square");
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g);
        b.Return(b.Add("mul", [w, w]));
        Run(g, "autodiff");
        Assert.Equal("add", g.Outputs[1].Producer!.Name);
    }

    [Fact]
    public void Ops_without_a_gradient_that_only_give_bools_are_fine()
    {
        // relu by hand: w * (w > 0); gt has no gradient rule but gives bools.
        var g = new IR.Graph("mask");
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g);
        var zero = b.Constant(DenseConstant.Splat(F32(), 0));
        var mask = b.Add("to", [b.Add("gt", [w, zero])], new Attrs { { "dtype", DType.Float32 } });
        b.Return(b.Add("mul", [w, mask]));
        Run(g, "autodiff");
        Assert.Equal(2, g.Outputs.Count);
    }

    [Fact]
    public void The_default_wrt_is_every_float_input_when_there_are_no_parameters()
    {
        var g = new IR.Graph("inputs");
        var x = g.AddInput("x", F32(3));
        var i = g.AddInput("i", TensorValueType.Of(DType.Int64, 3));
        var b = new GraphBuilder(g);
        b.Return(b.Add("mul", [x, b.Add("to", [i], new Attrs { { "dtype", DType.Float32 } })]));
        Run(g, "autodiff");
        Assert.Equal(["x", "i", "grad_0"], g.Inputs.Select(v => v.Name));
        Assert.Equal(2, g.Outputs.Count);
    }

    [Fact]
    public void The_pass_explains_what_it_did()
    {
        var log = new StringWriter();
        PassManager.Parse("autodiff{wrt=fc1.weight}").Run(SmallMlp(), new PassContext { Log = log });
        Assert.Contains("autodiff @mlp: gradients w.r.t. fc1.weight; seeds output 0: grad_0", log.ToString(), StringComparison.Ordinal);
    }
}
