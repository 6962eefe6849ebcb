using Kiln.IR;
using F = Kiln.NN.Functional;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// One model of the done-criteria checks: its graph built with <see cref="GraphBuilder"/> (the same graph as
/// tests/kir/models/&lt;name&gt;.kir), the same computation written with Kiln's eager API, and how to read
/// its inputs at a batch size from the reference file (in the order of the graph's inputs).
/// </summary>
internal sealed record Model(
    string Name,
    Func<IrGraph> Build,
    Func<IReadOnlyDictionary<string, Tensor>, object?[], Tensor[]> Eager,
    Func<GraphReference, long, object?[]> Inputs);

/// <summary>The four models of the IR's done criteria: an MLP, LeNet, an LSTM cell in a loop, a transformer encoder layer.</summary>
internal static class Models
{
    public static readonly Dim Batch = Dim.Sym("b");

    public static IReadOnlyList<Model> All { get; } =
    [
        new("mlp", Mlp, MlpEager, (r, b) => [r.Input(b, "x")]),
        new("lenet", LeNet, LeNetEager, (r, b) => [r.Input(b, "x")]),
        new("lstm", Lstm, LstmEager, (r, b) => [r.InputList(b, "xs"), r.Input(b, "h"), r.Input(b, "c")]),
        new("transformer", Transformer, TransformerEager, (r, b) => [r.Input(b, "x")]),
    ];

    public static Model Get(string name) => All.Single(m => m.Name == name);

    public static TensorValueType F32(params Dim[] shape) => TensorValueType.Of(DType.Float32, shape);

    /// <summary>784 → 128 → 64 → 10 with ReLUs, on a batch of ?b rows; spans as a frontend would give them.</summary>
    private static IrGraph Mlp()
    {
        var g = new IrGraph("mlp");
        var x = g.AddInput("x", F32(Batch, 784));
        var b = new GraphBuilder(g);
        var h = x;
        foreach (var (layer, outF, inF, line) in new[] { ("fc1", 128, 784, 14), ("fc2", 64, 128, 15), ("fc3", 10, 64, 16) })
        {
            b.Span = new SourceSpan("Mlp.cs", line, 9);
            h = Linear(g, b, h, layer, outF, inF);
            if (layer != "fc3") h = b.Add("relu", [h]);
        }
        b.Return(h);
        return g;
    }

    private static Tensor[] MlpEager(IReadOnlyDictionary<string, Tensor> p, object?[] inputs)
    {
        var h = F.Relu(F.Linear((Tensor)inputs[0]!, p["fc1.weight"], p["fc1.bias"]));
        h = F.Relu(F.Linear(h, p["fc2.weight"], p["fc2.bias"]));
        return [F.Linear(h, p["fc3.weight"], p["fc3.bias"])];
    }

    /// <summary>LeNet-5 on ?b×1×28×28: two conv → relu → max-pool stages, a reshape, three linear layers.</summary>
    private static IrGraph LeNet()
    {
        var g = new IrGraph("lenet");
        var x = g.AddInput("x", F32(Batch, 1, 28, 28));
        var b = new GraphBuilder(g);
        var pool = new Attrs { { "kernel_size", new long[] { 2 } } };
        var h = b.Add("conv2d", [x, g.AddParameter("conv1.weight", F32(6, 1, 5, 5)), g.AddParameter("conv1.bias", F32(6))], new Attrs { { "padding", new long[] { 2 } } });
        h = b.Add("max_pool2d", [b.Add("relu", [h])], pool);
        h = b.Add("conv2d", [h, g.AddParameter("conv2.weight", F32(16, 6, 5, 5)), g.AddParameter("conv2.bias", F32(16))]);
        h = b.Add("max_pool2d", [b.Add("relu", [h])], pool);
        h = b.Add("reshape", [h], new Attrs { { "shape", new long[] { -1, 400 } } });
        h = b.Add("relu", [Linear(g, b, h, "fc1", 120, 400)]);
        h = b.Add("relu", [Linear(g, b, h, "fc2", 84, 120)]);
        b.Return(Linear(g, b, h, "fc3", 10, 84));
        return g;
    }

    private static Tensor[] LeNetEager(IReadOnlyDictionary<string, Tensor> p, object?[] inputs)
    {
        var h = F.MaxPool2d(F.Relu(F.Conv2d((Tensor)inputs[0]!, p["conv1.weight"], p["conv1.bias"], padding: [2])), 2);
        h = F.MaxPool2d(F.Relu(F.Conv2d(h, p["conv2.weight"], p["conv2.bias"])), 2).Reshape(-1, 400);
        h = F.Relu(F.Linear(h, p["fc1.weight"], p["fc1.bias"]));
        h = F.Relu(F.Linear(h, p["fc2.weight"], p["fc2.bias"]));
        return [F.Linear(h, p["fc3.weight"], p["fc3.bias"])];
    }

    /// <summary>An LSTM cell (10 → 20) run by a loop over a list of per-step inputs, carrying h and c; the trip count is the list's length.</summary>
    private static IrGraph Lstm()
    {
        var g = new IrGraph("lstm");
        var xs = g.AddInput("xs", new ListType(F32(Batch, 10)));
        var h0 = g.AddInput("h", F32(Batch, 20));
        var c0 = g.AddInput("c", F32(Batch, 20));
        var wih = g.AddParameter("cell.weight_ih", F32(80, 10));
        var whh = g.AddParameter("cell.weight_hh", F32(80, 20));
        var bih = g.AddParameter("cell.bias_ih", F32(80));
        var bhh = g.AddParameter("cell.bias_hh", F32(80));
        var b = new GraphBuilder(g);
        var final = b.Loop(b.Prim("list_len", [xs]), [h0, c0], (body, i, carried) =>
        {
            var x = body.ListGet(xs, i);
            var gates = body.Add("add", [body.Add("linear", [x, wih, bih]), body.Add("linear", [carried[0], whh, bhh])]);
            var q = body.AddMulti("chunk", [gates], new Attrs { { "chunks", 4 }, { "dim", 1 } });
            var c = body.Add("add", [body.Add("mul", [body.Add("sigmoid", [q[1]]), carried[1]]), body.Add("mul", [body.Add("sigmoid", [q[0]]), body.Add("tanh", [q[2]])])]);
            var h = body.Add("mul", [body.Add("sigmoid", [q[3]]), body.Add("tanh", [c])]);
            return new LoopStep([h, c]);
        });
        b.Return(final[0], final[1]);
        return g;
    }

    private static Tensor[] LstmEager(IReadOnlyDictionary<string, Tensor> p, object?[] inputs)
    {
        var (h, c) = ((Tensor)inputs[1]!, (Tensor)inputs[2]!);
        foreach (var x in ((IReadOnlyList<object?>)inputs[0]!).Cast<Tensor>())
        {
            var q = F.Linear(x, p["cell.weight_ih"], p["cell.bias_ih"]).Add(F.Linear(h, p["cell.weight_hh"], p["cell.bias_hh"])).Chunk(4, 1);
            c = q[1].Sigmoid().Mul(c).Add(q[0].Sigmoid().Mul(q[2].Tanh()));
            h = q[3].Sigmoid().Mul(c.Tanh());
        }
        return [h, c];
    }

    private const long Seq = 8, DModel = 32, HeadCount = 4, HeadDim = DModel / HeadCount, FeedForward = 64;

    /// <summary>
    /// A post-norm transformer encoder layer on ?b×8×32 (torch's TransformerEncoderLayer, batch first, GELU): packed
    /// q/k/v projection, 4 heads by reshape and permute, scaled_dot_product_attention, output projection, residual
    /// adds with layer norms, and a 64-wide feed-forward.
    /// </summary>
    private static IrGraph Transformer()
    {
        var g = new IrGraph("encoder");
        var x = g.AddInput("x", F32(Batch, Seq, DModel));
        var b = new GraphBuilder(g);
        var qkv = b.AddMulti("chunk", [Linear(g, b, x, "self_attn.in_proj", 3 * DModel, DModel, "_weight", "_bias")], new Attrs { { "chunks", 3 }, { "dim", -1 } });
        Value Heads(Value t) => b.Add("permute", [b.Add("reshape", [t], new Attrs { { "shape", new long[] { -1, Seq, HeadCount, HeadDim } } })], SwapSeqAndHeads);
        var attention = b.Add("scaled_dot_product_attention", [Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2])]);
        var merged = b.Add("reshape", [b.Add("permute", [attention], SwapSeqAndHeads)], new Attrs { { "shape", new long[] { -1, Seq, DModel } } });
        var x1 = Norm(g, b, b.Add("add", [x, Linear(g, b, merged, "self_attn.out_proj", DModel, DModel)]), "norm1");
        var ff = Linear(g, b, b.Add("gelu", [Linear(g, b, x1, "linear1", FeedForward, DModel)]), "linear2", DModel, FeedForward);
        b.Return(Norm(g, b, b.Add("add", [x1, ff]), "norm2"));
        return g;
    }

    private static Attrs SwapSeqAndHeads => new() { { "dims", new long[] { 0, 2, 1, 3 } } };

    private static Tensor[] TransformerEager(IReadOnlyDictionary<string, Tensor> p, object?[] inputs)
    {
        var x = (Tensor)inputs[0]!;
        var qkv = F.Linear(x, p["self_attn.in_proj_weight"], p["self_attn.in_proj_bias"]).Chunk(3, -1);
        static Tensor Heads(Tensor t) => t.Reshape(-1, Seq, HeadCount, HeadDim).Permute(0, 2, 1, 3);
        var merged = F.ScaledDotProductAttention(Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2])).Permute(0, 2, 1, 3).Reshape(-1, Seq, DModel);
        var x1 = F.LayerNorm(x.Add(F.Linear(merged, p["self_attn.out_proj.weight"], p["self_attn.out_proj.bias"])), [DModel], p["norm1.weight"], p["norm1.bias"]);
        var ff = F.Linear(F.Gelu(F.Linear(x1, p["linear1.weight"], p["linear1.bias"])), p["linear2.weight"], p["linear2.bias"]);
        return [F.LayerNorm(x1.Add(ff), [DModel], p["norm2.weight"], p["norm2.bias"])];
    }

    /// <summary>A linear layer whose weight and bias are new parameters named <c>layer.weight</c> and <c>layer.bias</c> (or with other suffixes).</summary>
    private static Value Linear(IrGraph g, GraphBuilder b, Value input, string layer, long outF, long inF, string weight = ".weight", string bias = ".bias") =>
        b.Add("linear", [input, g.AddParameter(layer + weight, F32(outF, inF)), g.AddParameter(layer + bias, F32(outF))]);

    private static Value Norm(IrGraph g, GraphBuilder b, Value input, string layer) =>
        b.Add("layer_norm", [input, g.AddParameter(layer + ".weight", F32(DModel)), g.AddParameter(layer + ".bias", F32(DModel))],
            new Attrs { { "normalized_shape", new long[] { DModel } } });
}
