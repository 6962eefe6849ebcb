using Kiln.Graphs;
using Kiln.IR;
using Kiln.Memory;
using Kiln.NN;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// The executor hands each intermediate's buffer back to the pool right after its last use when nothing else can reach
/// it: a chain needs two buffers however long it is; outputs, views of outputs, inputs and values autograd records are
/// never recycled; and the optimised benchmark models give the same bits with reuse on and off. Each test uses tensors of
/// a size no other test uses, so no test running alongside takes the buffers it watches.
/// </summary>
public sealed class BufferReuseTests
{
    [Fact]
    public void A_chain_of_eight_same_size_intermediates_runs_in_two_buffers()
    {
        const long elements = 33_331, bytes = elements * sizeof(float);
        var graph = new IrGraph("chain");
        var x = graph.AddInput("x", Models.F32(elements));
        var g = new GraphBuilder(graph);
        var h = x;
        for (int i = 0; i < 8; i++) h = g.Add(i % 2 == 0 ? "neg" : "relu", [h]);
        g.Return(h);
        var input = Tensor.Randn(elements);
        CpuBufferPool.Shared.Trim(everything: true);

        var (report, outputs) = GraphMemory.Measure(new GraphExecutor(graph) { ReuseBuffers = true }, input);

        Assert.Equal(2 * bytes, report.PeakBytes);
        Assert.Equal(8 * bytes, report.AllocatedBytes);
        Assert.Equal(2 * bytes, report.BufferBytes);
        // Every intermediate but the output went back after its last use.
        Assert.Equal(7 * bytes, report.ReturnedBytes);
        TensorAssert.BitwiseEqual(input.Neg().Relu().Neg().Relu().Neg().Relu().Neg().Relu(), (Tensor)outputs[0]!, "the chain");
    }

    [Fact]
    public void Outputs_views_of_outputs_and_inputs_are_never_recycled()
    {
        const long elements = 34_127;
        var (graph, dying) = ViewsGraph(elements);
        var x = Tensor.Randn(elements);
        var executor = new GraphExecutor(graph) { ReuseBuffers = true };
        byte[]? dyingBuffer = null;
        executor.Observer = (node, slots) =>
        {
            if (node == dying.Producer) dyingBuffer = ((Tensor)slots[dying.Id]!).storage.Bytes;
        };

        var outputs = executor.Run(x).Cast<Tensor>().ToArray();

        // relu(-x) died after its last use and went back; the outputs (one a view of an intermediate, one of the input)
        // and the input did not.
        Assert.True(CpuBufferPool.Shared.IsFree(dyingBuffer!), "the intermediate's buffer did not go back to the pool");
        foreach (var t in outputs.Append(x)) Assert.False(CpuBufferPool.Shared.IsFree(t.storage.Bytes), "an output's or the input's buffer went back to the pool");
        var expected = ExpectedViews(x);
        var kept = outputs.Select(t => t.Clone()).ToArray();
        for (int k = 0; k < expected.Length; k++) TensorAssert.BitwiseEqual(expected[k], outputs[k], $"output {k}");

        // Later runs and allocations of the same size reuse what went back, never what the first run returned.
        executor.Observer = null;
        for (int run = 0; run < 3; run++) _ = executor.Run(Tensor.Randn(elements));
        for (int i = 0; i < 4; i++) Tensor.Empty(elements).Fill_(7.0);
        for (int k = 0; k < expected.Length; k++) TensorAssert.BitwiseEqual(kept[k], outputs[k], $"output {k} after later runs");
        TensorAssert.BitwiseEqual(expected[2], x.Reshape(1, elements), "the input after later runs");
    }

    [Fact]
    public void Switched_off_the_executor_leaves_buffers_to_the_collector()
    {
        const long elements = 35_117;
        var (graph, dying) = ViewsGraph(elements);
        var executor = new GraphExecutor(graph) { ReuseBuffers = false };
        byte[]? dyingBuffer = null;
        executor.Observer = (node, slots) =>
        {
            if (node == dying.Producer) dyingBuffer = ((Tensor)slots[dying.Id]!).storage.Bytes;
        };
        var x = Tensor.Randn(elements);

        var outputs = executor.Run(x).Cast<Tensor>().ToArray();

        Assert.False(CpuBufferPool.Shared.IsFree(dyingBuffer!));
        var expected = ExpectedViews(x);
        for (int k = 0; k < expected.Length; k++) TensorAssert.BitwiseEqual(expected[k], outputs[k], $"output {k}");
    }

    [Fact]
    public void Values_autograd_records_are_never_recycled()
    {
        const long elements = 36_131;
        var graph = new IrGraph("recorded");
        var xv = graph.AddInput("x", Models.F32(elements));
        var g = new GraphBuilder(graph);
        var a = g.Add("sigmoid", [xv]);
        var b = g.Add("mul", [a, a]);
        g.Return(g.Add("tanh", [b]));
        var executor = new GraphExecutor(graph) { ReuseBuffers = true };
        var buffers = new List<byte[]>();
        executor.Observer = (node, slots) => buffers.Add(((Tensor)slots[node.Result.Id]!).storage.Bytes);
        var x = Tensor.Randn(elements);
        x.RequiresGrad = true;

        var output = (Tensor)executor.Run(x)[0]!;
        output.Sum().Backward();

        Assert.DoesNotContain(buffers, CpuBufferPool.Shared.IsFree);
        var expectedX = x.Detach();
        expectedX.RequiresGrad = true;
        expectedX.Sigmoid().Mul(expectedX.Sigmoid()).Tanh().Sum().Backward();
        TensorAssert.BitwiseEqual(expectedX.Grad!, x.Grad!, "the input's gradient");
    }

    [Fact]
    public void A_constant_a_nested_block_hands_out_is_never_recycled()
    {
        const long elements = 37_139;
        var graph = new IrGraph("nested_constant");
        var x = graph.AddInput("x", Models.F32(elements));
        var g = new GraphBuilder(graph);
        var type = new TensorType(DType.Float32, [elements]);
        // The loop yields the constant, defined in its body; the loop's result dies at the neg.
        var loop = g.Loop(g.Constant(1L), [x], (body, _, _) => new LoopStep([body.Constant(new TensorConstant("w", type), "w")]));
        g.Return(g.Add("neg", [loop[0]]));
        var w = Tensor.Randn(elements);
        var kept = w.Clone();
        var executor = new GraphExecutor(graph, new Dictionary<string, Tensor> { ["w"] = w }) { ReuseBuffers = true };

        using (Autograd.NoGrad())
        {
            for (int run = 0; run < 3; run++) TensorAssert.BitwiseEqual(kept.Neg(), (Tensor)executor.Run(Tensor.Randn(elements))[0]!, $"run {run}");
        }

        Assert.False(CpuBufferPool.Shared.IsFree(w.storage.Bytes), "the constant's buffer went back to the pool");
        TensorAssert.BitwiseEqual(kept, w, "the constant");
    }

    public static TheoryData<string> BenchModels() => new(["mlp", "lenet", "lstm", "encoder"]);

    [Theory]
    [MemberData(nameof(BenchModels))]
    public void Optimised_bench_models_give_the_same_bits_with_reuse_on_and_off(string name)
    {
        var (module, input) = BenchModel(name);
        using var noGrad = Autograd.NoGrad();
        var lowered = Jit.Trace(module, input).Optimize().Lower([input]);
        var off = new GraphExecutor(lowered.Graph, lowered.Bindings) { ReuseBuffers = false };
        var on = new GraphExecutor(lowered.Graph, lowered.Bindings) { ReuseBuffers = true };

        var expected = Tensors(off.Run(input));
        var first = Tensors(on.Run(input));
        var kept = first.Select(t => t.Clone()).ToArray();
        var second = Tensors(on.Run(input));

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Length, first.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            TensorAssert.BitwiseEqual(expected[k], first[k], $"{name} output {k}");
            TensorAssert.BitwiseEqual(expected[k], second[k], $"{name} output {k}, second run");
            // The second run reused the first's dead buffers, not its outputs.
            TensorAssert.BitwiseEqual(kept[k], first[k], $"{name} output {k} of the first run after the second");
        }
        var (reuse, _) = GraphMemory.Measure(on, input);
        var (noReuse, _) = GraphMemory.Measure(off, input);
        Assert.Equal(noReuse.PeakBytes, reuse.PeakBytes);
        Assert.True(reuse.BufferBytes <= noReuse.BufferBytes, $"{name}: with reuse {reuse}, without {noReuse}");
        // The LSTM's graph is one lstm_layer node whose inputs are the zero states and whose results are all returned.
        if (name != "lstm") Assert.True(reuse.ReturnedBytes > 0, $"{name}: no buffer went back early ({reuse})");
        Assert.Equal(0, noReuse.ReturnedBytes);
    }

    /// <summary>
    /// x → a = neg(x) → v = reshape(a) (an output: a view of an intermediate); c = relu(a) → d = neg(c) (an output; c dies
    /// after it); w = reshape(x) (an output: a view of the input). Returns the graph and c.
    /// </summary>
    private static (IrGraph Graph, Value Dying) ViewsGraph(long elements)
    {
        var graph = new IrGraph("views");
        var x = graph.AddInput("x", Models.F32(elements));
        var g = new GraphBuilder(graph);
        var shape = new Attrs { { "shape", new[] { 1, elements } } };
        var a = g.Add("neg", [x]);
        var v = g.Add("reshape", [a], shape);
        var c = g.Add("relu", [a]);
        var d = g.Add("neg", [c]);
        var w = g.Add("reshape", [x], shape);
        g.Return(v, d, w);
        return (graph, c);
    }

    private static Tensor[] ExpectedViews(Tensor x) => [x.Neg().Reshape(1, x.Numel), x.Neg().Relu().Neg(), x.Reshape(1, x.Numel).Clone()];

    /// <summary>The benchmark's forward models (bench/Kiln.Bench ScriptedWorkloads), seeded, in evaluation mode, with their inputs.</summary>
    private static (Module Module, Tensor Input) BenchModel(string name)
    {
        Kiln.Random.ManualSeed(51);
        (Module module, long[] shape) = name switch
        {
            "mlp" => ((Module)new Sequential(
                ("fc1", new Linear(784, 512)), ("r1", new ReLU()), ("fc2", new Linear(512, 512)), ("r2", new ReLU()), ("fc3", new Linear(512, 10))),
                new long[] { 64, 784 }),
            "lenet" => (new Sequential(
                ("c1", new Conv2d(1, 6, 5, padding: 2)), ("r1", new ReLU()), ("p1", new MaxPool2d(2)),
                ("c2", new Conv2d(6, 16, 5)), ("r2", new ReLU()), ("p2", new MaxPool2d(2)), ("fl", new Flatten()),
                ("f1", new Linear(400, 120)), ("r3", new ReLU()), ("f2", new Linear(120, 84)), ("r4", new ReLU()), ("f3", new Linear(84, 10))),
                [64, 1, 28, 28]),
            "lstm" => (new LSTM(64, 128), [32, 16, 64]),
            "encoder" => (new TransformerEncoderLayer(128, 4, 512), [64, 8, 128]),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a bench model"),
        };
        module.Eval();
        return (module, Tensor.Randn(shape, generator: new Generator(52)));
    }

    private static Tensor[] Tensors(IEnumerable<object?> values) =>
        [.. values.SelectMany(v => v switch
        {
            Tensor t => [t],
            IReadOnlyList<object?> items => Tensors(items),
            _ => Array.Empty<Tensor>(),
        })];
}
