using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class KirRoundTripTests
{
    /// <summary>Prints, parses (which verifies), prints again: the texts must be identical.</summary>
    private static string RoundTrip(IR.Graph graph)
    {
        GraphVerifier.Verify(graph);
        var text = KirPrinter.Print(graph);
        var parsed = KirParser.Parse(text);
        Assert.Equal(text, KirPrinter.Print(parsed));
        Assert.Equal(graph.Inputs.Count, parsed.Inputs.Count);
        Assert.Equal(graph.Parameters.Count, parsed.Parameters.Count);
        Assert.Equal(graph.AllNodes().Count(), parsed.AllNodes().Count());
        return text;
    }

    [Fact]
    public void Mlp_prints_readably_and_round_trips()
    {
        var text = RoundTrip(Mlp());
        Assert.Equal(
            """
            graph @mlp(%x: f32[?b, 784], param %fc1.weight: f32[512, 784], param %fc1.bias: f32[512], param %fc2.weight: f32[10, 512], param %fc2.bias: f32[10]) -> (f32[?b, 10]) {
              %h: f32[?b, 512] = linear(%x, %fc1.weight, %fc1.bias) loc("model.cs":12:9)
              %0: f32[?b, 512] = relu(%h) loc("model.cs":13:9)
              %1: f32[?b, 10] = linear(%0, %fc2.weight, %fc2.bias) loc("model.cs":14:16 to 14:40)
              return %1
            }

            """, text);
    }

    [Fact]
    public void LeNet_round_trips_with_attributes()
    {
        var text = RoundTrip(LeNet());
        Assert.Contains("= conv2d(%x, %conv1.weight, %conv1.bias) {padding=[2]}", text, StringComparison.Ordinal);
        Assert.Contains("f32[?b, 6, 14, 14] = max_pool2d(", text, StringComparison.Ordinal);
        Assert.Contains("f32[?b, 400] = reshape(", text, StringComparison.Ordinal);
        Assert.Contains("-> (f32[?b, 10])", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Lstm_cell_in_a_loop_round_trips_with_carried_values()
    {
        var text = RoundTrip(LstmLoop());
        Assert.Contains("= loop(%steps, %0, %h, %c) {", text, StringComparison.Ordinal);
        Assert.Contains("body(%i: int, %h_1: f32[?b, 20], %c_1: f32[?b, 20]):", text, StringComparison.Ordinal);
        Assert.Contains("= list_get(%xs, %i)", text, StringComparison.Ordinal);
        Assert.Contains("= chunk(", text, StringComparison.Ordinal);
        Assert.Contains("return %", text, StringComparison.Ordinal);
    }

    [Fact]
    public void If_on_a_0d_bool_tensor_round_trips()
    {
        var text = RoundTrip(IfOnTensor());
        Assert.Contains("%zero: f32[] = constant @zero", text, StringComparison.Ordinal);
        Assert.Contains(": bool[] = gt(", text, StringComparison.Ordinal);
        Assert.Contains("then:", text, StringComparison.Ordinal);
        Assert.Contains("else:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Hand_written_text_parses_verifies_and_prints_canonically()
    {
        const string text = """
            # comments and free spacing are allowed
            graph @mlp(%x: f32[?b, 784], param %w1: f32[512, 784], param %b1: f32[512]) -> (f32[?b, 512]) {
              %0: f32[?b, 512] = linear(%x, %w1, %b1)   loc("mlp.cs":12:9)
              %1: f32[?b, 512] = relu(%0)
              %s: f32[?b] = sum(%1) {dim=[1], keepdim=false}
              return %1
            }
            """;
        var g = KirParser.Parse(text);
        Assert.Equal("mlp", g.Name);
        Assert.Equal(["w1", "b1"], g.Parameters.Select(p => p.Name));
        var linear = g.Body.Nodes[0];
        Assert.Equal(new SourceSpan("mlp.cs", 12, 9), linear.Span);
        Assert.Equal("linear", linear.Op!.Name);
        var sum = g.Body.Nodes[2];
        Assert.Equal([1L], sum.Attrs.GetLongs("dim"));
        var printed = KirPrinter.Print(g);
        Assert.Contains("%s: f32[?b] = sum(%1) {dim=[1], keepdim=false}", printed, StringComparison.Ordinal);
        Assert.Equal(printed, KirPrinter.Print(KirParser.Parse(printed)));
    }

    [Fact]
    public void Every_type_constant_and_structural_node_round_trips()
    {
        var g = new IR.Graph("kinds");
        var x = g.AddInput("x", F32(Dim.Dynamic, 3));
        var flag = g.AddInput("flag", ScalarType.Bool);
        var b = new GraphBuilder(g);
        var i = b.Constant(2L);
        var f = b.Constant(-0.5);
        var big = b.Constant(1e300);
        var inf = b.Constant(double.NegativeInfinity);
        var none = b.None(F32(3));
        var tuple = b.Tuple(x, i, f, none);
        var first = b.TupleGet(tuple, 0);
        var list = b.List(F32(Dim.Dynamic, 3), x, first);
        var picked = b.ListGet(list, b.Constant(1L));
        var cast = b.Add("to", [picked], new Attrs { { "dtype", DType.Float64 } });
        var chosen = b.If(flag, t => [cast, t.Constant(true)], e => [e.Add("neg", [cast]), flag]);
        b.Return(chosen[0], chosen[1], tuple, big, inf);
        var text = RoundTrip(g);
        Assert.Contains("tuple<f32[?, 3], int, float, optional<f32[3]>>", text, StringComparison.Ordinal);
        Assert.Contains("= constant -0.5", text, StringComparison.Ordinal);
        Assert.Contains("= constant 1E+300", text, StringComparison.Ordinal);
        Assert.Contains("= constant -inf", text, StringComparison.Ordinal);
        Assert.Contains("optional<f32[3]> = constant none", text, StringComparison.Ordinal);
        Assert.Contains("{dtype=f64}", text, StringComparison.Ordinal);
        Assert.Contains("= tuple_get(%", text, StringComparison.Ordinal);
        Assert.Contains("{index=0}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_constants_bind_their_payload_from_the_table()
    {
        var text = KirPrinter.Print(IfOnTensor());
        var payload = new object();
        var zero = new TensorConstant("zero", new TensorType(DType.Float32, []), payload);
        var g = KirParser.Parse(text, new Dictionary<string, TensorConstant> { ["zero"] = zero });
        var node = g.AllNodes().Single(n => n.Kind == NodeKind.Constant);
        Assert.Same(payload, Assert.IsType<TensorConstant>(node.Constant).Data);
        var unbound = KirParser.Parse(text).AllNodes().Single(n => n.Kind == NodeKind.Constant);
        Assert.Null(Assert.IsType<TensorConstant>(unbound.Constant).Data);
    }

    [Fact]
    public void Dense_constants_round_trip_as_splats_over_symbolic_shapes_and_as_full_data()
    {
        var g = new IR.Graph("dense");
        var x = g.AddInput("x", F32(Batch, 2));
        var b = new GraphBuilder(g);
        var zeros = b.Constant(DenseConstant.Splat(F32(Batch, 2), 0));
        var table = b.Constant(new DenseConstant(F32(2), [1.5, -2]));
        var mask = b.Constant(new DenseConstant(TensorValueType.Of(DType.Bool, 2), [1, 0]));
        var counts = b.Constant(new DenseConstant(TensorValueType.Of(DType.Int64, 2, 2), [1, 2, 3, 4]));
        var y = b.Add("where", [mask, b.Add("add", [x, table]), zeros]);
        b.Return(y, counts);
        var text = RoundTrip(g);
        Assert.Contains("f32[?b, 2] = constant dense<0.0>", text, StringComparison.Ordinal);
        Assert.Contains("f32[2] = constant dense<[1.5, -2.0]>", text, StringComparison.Ordinal);
        Assert.Contains("bool[2] = constant dense<[true, false]>", text, StringComparison.Ordinal);
        Assert.Contains("i64[2, 2] = constant dense<[1, 2, 3, 4]>", text, StringComparison.Ordinal);
        var parsed = KirParser.Parse(text).AllNodes().Select(n => n.Constant).OfType<DenseConstant>().ToArray();
        Assert.Equal([1.5, -2.0], parsed[1].Values);
        Assert.True(parsed[0].IsSplat);
    }
}
