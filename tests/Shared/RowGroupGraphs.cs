using Kiln.IR;

namespace Kiln.Testing;

/// <summary>
/// Row-group callees as the fusion pass and <c>decompose</c> write them, for the row-kernel tests of Codegen and of the
/// runtime: softmax, log_softmax and layer norm over the last dim of <c>x: [?n, c]</c>.
/// </summary>
internal static class RowGroupGraphs
{
    /// <summary>The attributes of a reduction over <paramref name="dim"/> (the last dim by default).</summary>
    internal static Attrs Along(long dim = -1, bool keepdim = true) => new() { { "dim", new[] { dim } }, { "keepdim", keepdim } };

    /// <summary>softmax (or log_softmax) over the last dim of x: [?n, c] (c symbolic when null).</summary>
    internal static Graph Softmax(DType dtype = DType.Float32, long? c = null, bool log = false)
    {
        var graph = new Graph("softmax_fused_0");
        var x = graph.AddInput("x", TensorValueType.Of(dtype, Dim.Sym("n"), c is { } size ? Dim.Of(size) : Dim.Sym("c")));
        graph.SetOutputs([SoftmaxOf(new GraphBuilder(graph), x, log)]);
        return graph;
    }

    /// <summary>The ops of softmax (or log_softmax) of <paramref name="x"/> over its last dim, subtracting the row maximum first.</summary>
    internal static Value SoftmaxOf(GraphBuilder g, Value x, bool log = false)
    {
        var shifted = g.Add("sub", [x, g.Add("amax", [x], Along())]);
        var exp = g.Add("exp", [shifted]);
        var total = g.Add("sum", [exp], Along());
        return log ? g.Add("sub", [shifted, g.Add("log", [total])]) : g.Add("div", [exp, total]);
    }

    /// <summary>layer norm over the last dim of x [?n, c] with weight and bias [c].</summary>
    internal static Graph LayerNorm(DType dtype, long c, double eps = 1e-5)
    {
        var graph = new Graph("norm_fused_0");
        var x = graph.AddInput("x", TensorValueType.Of(dtype, Dim.Sym("n"), Dim.Of(c)));
        var w = graph.AddInput("w", TensorValueType.Of(dtype, c));
        var b = graph.AddInput("b", TensorValueType.Of(dtype, c));
        var g = new GraphBuilder(graph);
        var centred = g.Add("sub", [x, g.Add("mean", [x], Along())]);
        var variance = g.Add("mean", [g.Add("mul", [centred, centred])], Along());
        var rstd = g.Add("rsqrt", [g.Add("add", [variance, g.Constant(DenseConstant.Splat(TensorValueType.Of(dtype), eps))])]);
        graph.SetOutputs([g.Add("add", [g.Add("mul", [g.Add("mul", [centred, rstd]), w]), b])]);
        return graph;
    }
}
