using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.Passes.Tests.Autodiff;

/// <summary>Small graphs at concrete sizes for the autodiff pass, and a helper that runs it with the verifier after it.</summary>
internal static class AutodiffGraphs
{
    /// <summary>Runs <paramref name="pipeline"/> on <paramref name="graph"/> with the verifier after each pass; returns the graph.</summary>
    public static IR.Graph Run(IR.Graph graph, string pipeline)
    {
        PassManager.Parse(pipeline).Run(graph);
        return graph;
    }

    /// <summary>linear → relu → linear on 4 rows of 8 features.</summary>
    public static IR.Graph SmallMlp()
    {
        var g = new IR.Graph("mlp");
        var x = g.AddInput("x", F32(4, 8));
        var b = new GraphBuilder(g) { Span = At(3, 9) };
        var h = b.Add("relu", [b.Add("linear", [x, g.AddParameter("fc1.weight", F32(16, 8)), g.AddParameter("fc1.bias", F32(16))])]);
        b.Return(b.Add("linear", [h, g.AddParameter("fc2.weight", F32(3, 16)), g.AddParameter("fc2.bias", F32(3))]));
        return g;
    }

    /// <summary>The MLP's mean squared error against a target input: a 0-d loss.</summary>
    public static IR.Graph SmallMlpLoss()
    {
        var g = SmallMlp();
        var target = g.AddInput("target", F32(4, 3));
        var b = new GraphBuilder(g);
        b.Return(b.Add("mse_loss", [g.Outputs[0], target]));
        return g;
    }

    /// <summary>relu(x * w) + w when sum(x * w) &gt; 0, else -w * 2 (x: 4 floats, w a parameter; the else branch ignores x).</summary>
    public static IR.Graph Branchy()
    {
        var g = new IR.Graph("branchy");
        var x = g.AddInput("x", F32(4));
        var w = g.AddParameter("w", F32(4));
        var b = new GraphBuilder(g) { Span = At(5, 9) };
        var xw = b.Add("mul", [x, w]);
        var positive = b.Add("gt", [b.Add("sum", [xw]), b.Constant(DenseConstant.Splat(F32(), 0))]);
        b.Return(b.If(positive,
            t => [t.Add("add", [t.Add("relu", [xw]), w])],
            e => [e.Add("mul", [e.Add("neg", [w]), e.Constant(DenseConstant.Splat(F32(), 2))])]));
        return g;
    }

    /// <summary>h = tanh(h · w) repeated <c>steps</c> times from an input h0 of 2×3, counting the iterations alongside.</summary>
    public static IR.Graph Recurrence()
    {
        var g = new IR.Graph("recurrence");
        var steps = g.AddInput("steps", ScalarType.Int);
        var h0 = g.AddInput("h0", F32(2, 3));
        var w = g.AddParameter("w", F32(3, 3));
        var b = new GraphBuilder(g) { Span = At(9, 5) };
        var final = b.Loop(steps, [h0, b.Constant(0L)], (body, i, carried) =>
            new LoopStep([body.Add("tanh", [body.Add("matmul", [carried[0], w])]), body.Prim("scalar_add", [carried[1], i])]));
        b.Return(final[0]);
        return g;
    }

    /// <summary>The ops of the nodes added after the first <paramref name="forwardCount"/> nodes of the body, at any depth.</summary>
    public static List<string> BackwardOps(IR.Graph graph, int forwardCount) =>
        [.. graph.Body.Nodes.Skip(forwardCount).SelectMany(n => new[] { n }.Concat(n.Blocks.SelectMany(b => b.AllNodes()))).Select(n => n.Name)];
}
