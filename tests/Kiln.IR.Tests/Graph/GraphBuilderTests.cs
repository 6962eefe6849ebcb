using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class GraphBuilderTests
{
    [Fact]
    public void Mlp_types_follow_from_the_registry_with_the_batch_symbol()
    {
        var g = Mlp();
        Assert.Equal(F32(Batch, 10), Assert.Single(g.Outputs).Type);
        Assert.Equal(["x"], g.Inputs.Select(v => v.Name));
        Assert.Equal(4, g.Parameters.Count);
        var linear = g.Body.Nodes[0];
        Assert.Equal(NodeKind.Op, linear.Kind);
        Assert.Equal(F32(Batch, 512), linear.Result.Type);
        Assert.Equal(At(12, 9), linear.Span);
        Assert.Empty(GraphVerifier.Check(g));
    }

    [Fact]
    public void Uses_are_tracked_and_values_have_dense_ids()
    {
        var g = Mlp();
        var x = g.Inputs[0];
        var use = Assert.Single(x.Uses);
        Assert.Same(g.Body.Nodes[0], use.User);
        Assert.Equal(0, use.Index);
        var output = g.Outputs[0];
        Assert.Same(g.Body, Assert.Single(output.Uses).ReturnOf);
        Assert.Equal(Enumerable.Range(0, g.ValueCount), g.Body.Params.Concat(g.AllNodes().SelectMany(n => n.Results)).Select(v => v.Id).Order());
    }

    [Fact]
    public void Passes_can_rewrite_uses_and_remove_dead_nodes()
    {
        var g = Mlp();
        var relu = g.Body.Nodes[1];
        // Bypass the relu: the second linear reads the first linear's result directly.
        relu.Result.ReplaceAllUsesWith(relu.Operands[0]);
        Assert.Empty(relu.Result.Uses);
        g.Body.Remove(relu);
        Assert.Equal(2, g.Body.Nodes.Count);
        Assert.Single(g.Body.Nodes[0].Result.Uses, u => u.User == g.Body.Nodes[1]);
        Assert.Empty(GraphVerifier.Check(g));
        var used = g.Body.Nodes[0];
        Assert.Throws<InvalidOperationException>(() => g.Body.Remove(used));
    }

    [Fact]
    public void Unknown_ops_bad_attributes_and_wrong_arity_name_the_op_and_the_span()
    {
        var g = new IR.Graph("bad");
        var x = g.AddInput("x", F32(Batch, 3));
        var b = new GraphBuilder(g) { Span = At(5, 7) };
        var unknown = Assert.Throws<IrException>(() => b.Add("frobnicate", [x]));
        Assert.Contains("model.cs:5:7: frobnicate: no op named 'frobnicate'", unknown.Message, StringComparison.Ordinal);
        var attr = Assert.Throws<IrException>(() => b.Add("relu", [x], new Attrs { { "alpha", 1 } }));
        Assert.Contains("model.cs:5:7: relu: unknown attribute 'alpha'", attr.Message, StringComparison.Ordinal);
        var arity = Assert.Throws<IrException>(() => b.Add("add", [x]));
        Assert.Contains("add: expected 2 input(s) (self, other), got 1", arity.Message, StringComparison.Ordinal);
        Assert.Empty(g.Body.Nodes);
        Assert.Empty(x.Uses);
    }

    [Fact]
    public void Mismatched_symbols_are_reported_at_the_node()
    {
        var g = new IR.Graph("bad");
        var a = g.AddInput("a", F32(Dim.Sym("a"), 3));
        var n = g.AddInput("n", F32(Dim.Sym("n"), 3));
        var b = new GraphBuilder(g) { Span = At(9, 1) };
        var e = Assert.Throws<IrException>(() => b.Add("add", [a, n]));
        Assert.StartsWith("model.cs:9:1: add: shapes [?a, 3] and [?n, 3] cannot be broadcast", e.Message, StringComparison.Ordinal);
        Assert.Contains("?a", e.Message, StringComparison.Ordinal);
        Assert.Contains("?n", e.Message, StringComparison.Ordinal);
        Assert.Equal(F32(Dim.Sym("a"), 3), b.Add("add", [a, a]).Type);
    }

    [Fact]
    public void Scalars_are_not_tensor_operands_and_multi_result_ops_need_AddMulti()
    {
        var g = new IR.Graph("bad");
        var x = g.AddInput("x", F32(4));
        var b = new GraphBuilder(g);
        var e = Assert.Throws<IrException>(() => b.Add("add", [x, b.Constant(1.0)]));
        Assert.Contains("input 1 (other) has type float", e.Message, StringComparison.Ordinal);
        Assert.Throws<IrException>(() => b.Add("chunk", [x], new Attrs { { "chunks", 2 } }));
        Assert.Single(g.Body.Nodes);
        Assert.Equal(2, b.AddMulti("chunk", [x], new Attrs { { "chunks", 2 } }).Length);
    }

    [Fact]
    public void If_results_take_the_branch_types_and_mismatched_branches_are_errors()
    {
        var g = new IR.Graph("branches");
        var x = g.AddInput("x", F32(Batch, 4));
        var flag = g.AddInput("flag", ScalarType.Bool);
        var b = new GraphBuilder(g) { Span = At(3, 3) };
        var r = b.If(flag, t => [t.Add("relu", [x])], e => [x]);
        Assert.Equal(F32(Batch, 4), Assert.Single(r).Type);
        var mismatch = Assert.Throws<IrException>(() => b.If(flag, t => [x], e => [e.Add("sum", [x])]));
        Assert.Contains("model.cs:3:3: if: the else block returns (f32[])", mismatch.Message, StringComparison.Ordinal);
        var notBool = Assert.Throws<IrException>(() => b.If(x, t => [], e => []));
        Assert.Contains("the condition has type f32[?b, 4]", notBool.Message, StringComparison.Ordinal);
        // The failed ifs were not added and left no uses behind: x is read by the then-relu and the else-return.
        Assert.Single(g.Body.Nodes);
        Assert.Equal(2, x.Uses.Count);
    }

    [Fact]
    public void Loop_bodies_see_the_index_and_carried_values_and_must_keep_their_types()
    {
        var g = LstmLoop();
        var loop = g.Body.Nodes.Single(n => n.Kind == NodeKind.Loop);
        var body = Assert.Single(loop.Blocks);
        Assert.Equal(ScalarType.Int, body.Params[0].Type);
        Assert.Equal([F32(Batch, 20), F32(Batch, 20)], loop.Results.Select(r => r.Type));
        Assert.Equal(3, body.Returns.Count);

        var b = new GraphBuilder(new IR.Graph("bad")) { Span = At(4, 4) };
        var n = b.Graph.AddInput("n", ScalarType.Int);
        var h = b.Graph.AddInput("h", F32(Batch, 3));
        var e = Assert.Throws<IrException>(() => b.Loop(n, [h], (inner, i, carried) => new LoopStep([inner.Add("sum", [carried[0]])])));
        Assert.Contains("model.cs:4:4: loop: the body returns carried values (f32[]) but the carried values are (f32[?b, 3])", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_builder_before_a_node_inserts_in_order_with_the_node_span()
    {
        var g = Mlp();
        var relu = g.Body.Nodes[1];
        var b = GraphBuilder.Before(relu);
        var scaled = b.Add("mul", [relu.Operands[0], relu.Operands[0]]);
        var negated = b.Add("neg", [scaled]);
        relu.SetOperand(0, negated);
        Assert.Equal(["linear", "mul", "neg", "relu", "linear"], g.Body.Nodes.Select(n => n.Name));
        Assert.Equal(relu.Span, scaled.Producer!.Span);
        Assert.Empty(GraphVerifier.Check(g));
    }
}
