using Kiln.IR;

namespace Kiln.IR.Tests.Graph;

/// <summary>Small models built with the <see cref="GraphBuilder"/>, shared by the graph tests.</summary>
internal static class TestGraphs
{
    public static readonly Dim Batch = Dim.Sym("b");

    public static TensorValueType F32(params Dim[] shape) => TensorValueType.Of(DType.Float32, shape);

    public static SourceSpan At(int line, int col) => new("model.cs", line, col);

    /// <summary>linear → relu → linear on a batch of ?b rows of 784.</summary>
    public static IR.Graph Mlp()
    {
        var g = new IR.Graph("mlp");
        var x = g.AddInput("x", F32(Batch, 784));
        var w1 = g.AddParameter("fc1.weight", F32(512, 784));
        var b1 = g.AddParameter("fc1.bias", F32(512));
        var w2 = g.AddParameter("fc2.weight", F32(10, 512));
        var b2 = g.AddParameter("fc2.bias", F32(10));
        var b = new GraphBuilder(g) { Span = At(12, 9) };
        var h = b.Add("linear", [x, w1, b1]);
        h.Name = "h";
        b.Span = At(13, 9);
        var r = b.Add("relu", [h]);
        b.Span = new SourceSpan("model.cs", 14, 16, 14, 40);
        var y = b.Add("linear", [r, w2, b2]);
        b.Return(y);
        return g;
    }

    /// <summary>LeNet: two conv → relu → max-pool stages, a flatten, and three linear layers.</summary>
    public static IR.Graph LeNet()
    {
        var g = new IR.Graph("lenet");
        var x = g.AddInput("x", F32(Batch, 1, 28, 28));
        var b = new GraphBuilder(g);
        Value Param(string name, params Dim[] shape) => g.AddParameter(name, F32(shape));
        var c1w = Param("conv1.weight", 6, 1, 5, 5);
        var c1b = Param("conv1.bias", 6);
        var c2w = Param("conv2.weight", 16, 6, 5, 5);
        var c2b = Param("conv2.bias", 16);
        var h = b.Add("conv2d", [x, c1w, c1b], new Attrs { { "padding", new long[] { 2 } } });
        h = b.Add("max_pool2d", [b.Add("relu", [h])], new Attrs { { "kernel_size", new long[] { 2 } } });
        h = b.Add("conv2d", [h, c2w, c2b]);
        h = b.Add("max_pool2d", [b.Add("relu", [h])], new Attrs { { "kernel_size", new long[] { 2 } } });
        h = b.Add("reshape", [h], new Attrs { { "shape", new long[] { -1, 400 } } });
        foreach (var (name, outF, inF) in new[] { ("fc1", 120, 400), ("fc2", 84, 120), ("fc3", 10, 84) })
        {
            h = b.Add("linear", [h, Param(name + ".weight", outF, inF), Param(name + ".bias", outF)]);
            if (name != "fc3") h = b.Add("relu", [h]);
        }
        b.Return(h);
        return g;
    }

    /// <summary>An LSTM cell run by a loop over a list of per-step inputs, carrying h and c.</summary>
    public static IR.Graph LstmLoop()
    {
        const int Input = 10, Hidden = 20;
        var g = new IR.Graph("lstm");
        var xs = g.AddInput("xs", new ListType(F32(Batch, Input)));
        var steps = g.AddInput("steps", ScalarType.Int);
        var h0 = g.AddInput("h", F32(Batch, Hidden));
        var c0 = g.AddInput("c", F32(Batch, Hidden));
        var wih = g.AddParameter("cell.weight_ih", F32(4 * Hidden, Input));
        var whh = g.AddParameter("cell.weight_hh", F32(4 * Hidden, Hidden));
        var bih = g.AddParameter("cell.bias_ih", F32(4 * Hidden));
        var bhh = g.AddParameter("cell.bias_hh", F32(4 * Hidden));
        var b = new GraphBuilder(g) { Span = At(30, 5) };
        var final = b.Loop(steps, [h0, c0], (body, i, carried) =>
        {
            body.Span = At(32, 13);
            var x = body.ListGet(xs, i);
            var gates = body.Add("add", [body.Add("linear", [x, wih, bih]), body.Add("linear", [carried[0], whh, bhh])]);
            var q = body.AddMulti("chunk", [gates], new Attrs { { "chunks", 4 }, { "dim", 1 } });
            var (ig, fg, gg, og) = (body.Add("sigmoid", [q[0]]), body.Add("sigmoid", [q[1]]), body.Add("tanh", [q[2]]), body.Add("sigmoid", [q[3]]));
            var c = body.Add("add", [body.Add("mul", [fg, carried[1]]), body.Add("mul", [ig, gg])]);
            c.Name = "c_next";
            var h = body.Add("mul", [og, body.Add("tanh", [c])]);
            h.Name = "h_next";
            return new LoopStep([h, c]);
        });
        b.Return(final[0], final[1]);
        return g;
    }

    /// <summary>relu(x) when sum(x) &gt; 0 (a 0-d bool tensor), else -x.</summary>
    public static IR.Graph IfOnTensor()
    {
        var g = new IR.Graph("branchy");
        var x = g.AddInput("x", F32(Batch, 4));
        var b = new GraphBuilder(g) { Span = At(7, 9) };
        var zero = b.Constant(new TensorConstant("zero", new TensorType(DType.Float32, [])), "zero");
        var positive = b.Add("gt", [b.Add("sum", [x]), zero]);
        var result = b.If(positive, t => [t.Add("relu", [x])], e => [e.Add("neg", [x])]);
        b.Return(result);
        return g;
    }
}
