using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;
using static Kiln.Passes.Tests.Autodiff.AutodiffGraphs;

namespace Kiln.Passes.Tests.Autodiff;

public class AutodiffErrorTests
{
    private static string Failure(IR.Graph graph, string pipeline) =>
        Assert.Throws<PassException>(() => Run(graph, pipeline)).Message;

    [Fact]
    public void Symbolic_dims_on_the_path_ask_for_specialize_and_name_the_node()
    {
        var message = Failure(Mlp(), "autodiff");
        // The last linear is the first node the backward reaches; its input relu(h) is ?b×512.
        Assert.Contains("model.cs:14:16-14:40: %1 = linear: autodiff: %0 has type f32[?b, 512] with symbolic dims", message, StringComparison.Ordinal);
        Assert.Contains("specialize{b=...}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void After_specialize_the_same_graph_differentiates()
    {
        var g = Run(Mlp(), "specialize{b=2},autodiff");
        Assert.Equal(F32(512, 784), g.Outputs[1].Type);
    }

    [Fact]
    public void An_op_without_a_gradient_rule_on_the_path_is_named()
    {
        var g = new IR.Graph("sampled");
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g) { Span = At(4, 2) };
        var p = b.Add("sigmoid", [w]);
        b.Span = At(5, 2);
        b.Return(b.Add("mul", [b.Add("bernoulli", [p]), w]));
        var message = Failure(g, "autodiff");
        Assert.Contains("model.cs:5:2: %1 = bernoulli: autodiff: bernoulli has no gradient rule", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gradient_through_a_tuple_in_a_branch_names_the_node_of_the_input_graph()
    {
        var g = new IR.Graph("tupled");
        var flag = g.AddInput("flag", ScalarType.Bool);
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g) { Span = At(8, 3) };
        var result = b.If(flag,
            t =>
            {
                var picked = t.TupleGet(t.Tuple(t.Add("relu", [w]), w), 0);
                picked.Name = "picked";
                return [picked];
            },
            e => [w]);
        b.Return(result);
        var message = Failure(g, "autodiff");
        Assert.Contains("model.cs:8:3: %picked = tuple_get: autodiff: a gradient must flow through this tuple_get node", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_random_op_in_a_recomputed_branch_is_refused()
    {
        var g = new IR.Graph("noisy");
        var flag = g.AddInput("flag", ScalarType.Bool);
        var w = g.AddParameter("w", F32(3));
        var b = new GraphBuilder(g) { Span = At(2, 2) };
        var result = b.If(flag,
            t => [t.Add("mul", [t.Add("bernoulli", [t.Add("sigmoid", [w])]), w])],
            e => [w]);
        b.Return(result);
        var message = Failure(g, "autodiff");
        Assert.Contains("bernoulli: autodiff: this random op is inside a if that the backward pass recomputes", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrt_a_list_input_is_refused()
    {
        var message = Failure(LstmLoop(), "specialize{b=2},autodiff{wrt=xs}");
        Assert.Contains("wrt 'xs' is a list (list<f32[2, 10]>); gradients with respect to a list are not supported", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("autodiff{wrt=nope}", "wrt 'nope' is not an input or parameter of @mlp; it has x, fc1.weight, fc1.bias, fc2.weight, fc2.bias")]
    [InlineData("autodiff{wrt=x,x}", "wrt 'x' is given twice")]
    public void Bad_wrt_names_are_refused(string pipeline, string expected) =>
        Assert.Contains(expected, Failure(SmallMlp(), pipeline), StringComparison.Ordinal);

    [Fact]
    public void Wrt_an_integer_input_is_refused()
    {
        var g = new IR.Graph("ints");
        var i = g.AddInput("i", TensorValueType.Of(DType.Int64, 3));
        new GraphBuilder(g).Return(i);
        Assert.Contains("wrt 'i' has type i64[3]; gradients are taken with respect to floating-point tensors only", Failure(g, "autodiff{wrt=i}"), StringComparison.Ordinal);
        Assert.Contains("@ints has no floating-point tensor parameters or inputs", Failure(g, "autodiff"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("autodiff{seed=twos}", "option 'seed' is 'ones' or 'inputs', got 'twos'")]
    [InlineData("autodiff{with=x}", "unknown option 'with'")]
    public void Bad_options_are_refused(string pipeline, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => PassManager.Parse(pipeline)).Message, StringComparison.Ordinal);
}
