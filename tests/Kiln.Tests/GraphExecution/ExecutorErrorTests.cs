using Kiln.Graphs;
using Kiln.IR;
using static Kiln.Tests.GraphExecution.Models;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>What the executor reports: bad inputs and parameters by name, failing nodes by their text name and source span.</summary>
public sealed class ExecutorErrorTests
{
    private static readonly SourceSpan Span = new("Model.cs", 21, 13);

    private static GraphExecutor Mlp() => new(Models.Get("mlp").Build(), GraphReference.Load("mlp").Parameters);

    private static GraphExecutor Lstm() => new(Models.Get("lstm").Build(), GraphReference.Load("lstm").Parameters);

    private static void AssertMentions(Exception e, params string[] parts)
    {
        foreach (var part in parts) Assert.Contains(part, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_with_a_wrong_dim_names_the_input_its_type_and_its_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Mlp().Run(Tensor.Zeros(3, 785)));
        AssertMentions(e, "input %x: expected f32[?b, 784], got f32[3, 785]: dim 1 must be 784");
    }

    [Fact]
    public void Input_with_a_wrong_dtype_or_rank_or_kind_is_rejected()
    {
        AssertMentions(Assert.Throws<ArgumentException>(() => Mlp().Run(Tensor.Zeros([3, 784], DType.Float64))), "input %x: expected f32[?b, 784], got f64[3, 784]");
        AssertMentions(Assert.Throws<ArgumentException>(() => Mlp().Run(Tensor.Zeros(784))), "input %x: expected f32[?b, 784], got f32[784]");
        AssertMentions(Assert.Throws<ArgumentException>(() => Mlp().Run(3L)), "input %x: expected f32[?b, 784], got int 3");
    }

    [Fact]
    public void Symbol_bound_by_one_input_must_have_the_same_size_in_the_others()
    {
        var xs = new[] { Tensor.Zeros(3, 10), Tensor.Zeros(3, 10) };
        var e = Assert.Throws<ArgumentException>(() => Lstm().Run(xs, Tensor.Zeros(3, 20), Tensor.Zeros(2, 20)));
        AssertMentions(e, "input %c: expected f32[?b, 20], got f32[2, 20]: dim 0 is ?b, which is 3 in input %xs[0]");

        var ragged = new[] { Tensor.Zeros(3, 10), Tensor.Zeros(4, 10) };
        AssertMentions(Assert.Throws<ArgumentException>(() => Lstm().Run(ragged, Tensor.Zeros(3, 20), Tensor.Zeros(3, 20))), "input %xs[1]: expected f32[?b, 10], got f32[4, 10]");
    }

    [Fact]
    public void Wrong_number_of_inputs_lists_the_inputs()
    {
        var e = Assert.Throws<ArgumentException>(() => Lstm().Run(Tensor.Zeros(3, 20)));
        AssertMentions(e, "@lstm takes 3 input(s)", "%xs: list<f32[?b, 10]>", "got 1");
    }

    [Fact]
    public void Missing_extra_and_mismatched_parameters_are_all_named()
    {
        var parameters = new Dictionary<string, Tensor>(GraphReference.Load("mlp").Parameters);
        parameters.Remove("fc2.bias");
        parameters["fc1.weight"] = Tensor.Zeros(128, 783);
        parameters["fc3.bias"] = Tensor.Zeros([10], DType.Float64);
        parameters["fc4.weight"] = Tensor.Zeros(1);

        var e = Assert.Throws<ArgumentException>(() => new GraphExecutor(Models.Get("mlp").Build(), parameters));

        AssertMentions(e, "@mlp", "parameter fc2.bias (f32[64]) is missing", "parameter fc1.weight: expected f32[128, 784], got f32[128, 783]",
            "parameter fc3.bias: expected f32[10], got f64[10]", "fc4.weight is not a parameter");
    }

    [Fact]
    public void Tensor_constants_of_parsed_graphs_bind_by_name()
    {
        var g = KirParser.Parse("""
            graph @shift(%x: f32[2]) -> (f32[2]) {
              %offset: f32[2] = constant @offset
              %y: f32[2] = add(%x, %offset)
              return %y
            }
            """);
        Assert.Contains("tensor constant @offset (f32[2]) is missing", Assert.Throws<ArgumentException>(() => new GraphExecutor(g)).Message, StringComparison.Ordinal);

        var executor = new GraphExecutor(g, new Dictionary<string, Tensor> { ["offset"] = Tensor.FromArray(new float[] { 1, 2 }) });
        Assert.Equal([11f, 22], Assert.IsType<Tensor>(Assert.Single(executor.Run(Tensor.FromArray(new float[] { 10, 20 })))).ToArray<float>());
    }

    [Fact]
    public void Failing_kernel_names_the_node_and_its_span_and_keeps_the_cause()
    {
        // An index past the embedding table is only found when the kernel reads the data.
        var g = new IrGraph("lookup");
        var ids = g.AddInput("ids", TensorValueType.Of(DType.Int64, Batch));
        var table = g.AddParameter("table", F32(5, 3));
        var b = new GraphBuilder(g) { Span = Span };
        var rows = b.Add("embedding", [ids, table]);
        rows.Name = "rows";
        b.Return(rows);
        var executor = new GraphExecutor(g, new Dictionary<string, Tensor> { ["table"] = Tensor.Zeros(5, 3) });

        var e = Assert.Throws<GraphExecutionException>(() => executor.Run(Tensor.FromArray(new long[] { 1, 7 })));

        Assert.StartsWith("Model.cs:21:13: %rows = embedding in @lookup: ", e.Message, StringComparison.Ordinal);
        Assert.Equal("%rows = embedding", e.Where);
        Assert.Equal(Span, e.Span);
        Assert.Same(rows.Producer, e.Node);
        Assert.Contains(e.InnerException!.Message, e.Message, StringComparison.Ordinal);
        Assert.Contains("7", e.InnerException.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failure_inside_a_loop_body_names_the_inner_node()
    {
        // for i < n: x = xs[i] — with n past the list's end.
        var g = new IrGraph("overrun");
        var xs = g.AddInput("xs", new ListType(F32(2)));
        var n = g.AddInput("n", ScalarType.Int);
        var b = new GraphBuilder(g) { Span = new SourceSpan("Loop.cs", 3, 5) };
        var last = b.Loop(n, [b.Constant(DenseConstant.Splat(F32(2), 0))], (body, i, carried) =>
        {
            body.Span = Span;
            var x = body.ListGet(xs, i);
            x.Name = "x";
            return new LoopStep([x]);
        });
        b.Return(last);
        var executor = new GraphExecutor(g);
        var list = new[] { Tensor.Zeros(2), Tensor.Ones(2) };

        Assert.Same(list[1], Assert.Single(executor.Run(list, 2)));
        var e = Assert.Throws<GraphExecutionException>(() => executor.Run(list, 3));

        AssertMentions(e, "Model.cs:21:13: %x = list_get in @overrun", "index 2 is out of range for a list of 2");
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public void Failure_in_a_called_graph_names_the_call_and_the_callee_node()
    {
        var helper = new IrGraph("helper");
        var hx = helper.AddInput("ids", TensorValueType.Of(DType.Int64, 2));
        var ht = helper.AddInput("table", F32(5, 3));
        var hb = new GraphBuilder(helper) { Span = Span };
        hb.Return(hb.Add("embedding", [hx, ht]));
        var g = new IrGraph("caller");
        var ids = g.AddInput("ids", TensorValueType.Of(DType.Int64, 2));
        var b = new GraphBuilder(g) { Span = new SourceSpan("Caller.cs", 9, 1) };
        b.Return(b.Call(helper, [ids, b.Constant(DenseConstant.Splat(F32(5, 3), 1))]));

        var e = Assert.Throws<GraphExecutionException>(() => new GraphExecutor(g).Run(Tensor.FromArray(new long[] { 0, 9 })));

        AssertMentions(e, "Caller.cs:9:1: %1 = call in @caller", "Model.cs:21:13: %0 = embedding in @helper");
        Assert.IsType<GraphExecutionException>(e.InnerException);
    }
}
