using Kiln.Codegen;
using Kiln.Graphs;
using Kiln.IR;
using Kiln.NN;
using Kiln.Passes;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// A run of linear layers that feed only each other (alone or with an elementwise epilogue) runs with the rows split
/// between threads once for the whole run (<see cref="RowChainStep"/>). Every element is the same chain of roundings as
/// layer by layer, so the outputs must equal the unchained graph's bit for bit, at batch sizes that leave partial tiles,
/// through the split (counted) where it applies, and through the layers' own steps where it does not: one thread, few rows,
/// autograd, a layer whose product is read twice.
/// </summary>
public sealed class RowChainTests
{
    private const string Mlp = """
        graph @mlp(%x: f32[?b, 37], %w1: f32[40, 37], %b1: f32[40], %w2: f32[33, 40], %b2: f32[33], %w3: f32[10, 33], %b3: f32[10]) -> (f32[?b, 10]) {
          %l1: f32[?b, 40] = linear(%x, %w1, %b1)
          %r1: f32[?b, 40] = relu(%l1)
          %l2: f32[?b, 33] = linear(%r1, %w2, %b2)
          %r2: f32[?b, 33] = tanh(%l2)
          %l3: f32[?b, 10] = linear(%r2, %w3, %b3)
          return %l3
        }
        """;

    [Theory]
    [InlineData(64, true)]
    [InlineData(37, true)]
    [InlineData(15, false)]
    public void A_fused_mlp_gives_the_bits_it_gives_layer_by_layer(long batch, bool splits)
    {
        var graph = KirParser.Parse(Mlp);
        var fused = GraphCloner.Clone(graph);
        new PassManager([new FusionPass()]).Run(fused);
        var inputs = Inputs(graph, batch, requireGrad: false);
        int saved = Threading.NumThreads;
        try
        {
            using var _ = Autograd.NoGrad();
            // One thread runs the layers' own steps: the same products and compiled epilogues, layer by layer.
            Threading.NumThreads = 1;
            int before = RowChainStep.SplitRuns;
            var expected = (Tensor)new GraphExecutor(fused, null).Run(inputs)[0]!;
            Assert.Equal(before, RowChainStep.SplitRuns);
            Threading.NumThreads = 2;
            var actual = (Tensor)new GraphExecutor(fused, null).Run(inputs)[0]!;
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
            // Without LLVM the epilogue groups run interpreted, and only plain linears could chain.
            Assert.Equal(splits && Llvm.IsAvailable ? before + 1 : before, RowChainStep.SplitRuns);
            TensorAssert.Close((Tensor)new GraphExecutor(graph, null).Run(inputs)[0]!, actual, new(1e-3, 1e-4), "the fused mlp against the unfused graph");
        }
        finally
        {
            Threading.NumThreads = saved;
        }
    }

    [Fact]
    public void Consecutive_plain_linears_chain_and_give_the_layer_by_layer_bits()
    {
        var graph = KirParser.Parse("""
            graph @g(%x: f32[64, 20], %w1: f32[30, 20], %w2: f32[25, 30], %b2: f32[25]) -> (f32[64, 25]) {
              %a: f32[64, 30] = linear(%x, %w1)
              %y: f32[64, 25] = linear(%a, %w2, %b2)
              return %y
            }
            """);
        var inputs = Inputs(graph, 64, requireGrad: false);
        var expected = Functional.Linear(Functional.Linear((Tensor)inputs[0]!, (Tensor)inputs[1]!), (Tensor)inputs[2]!, (Tensor)inputs[3]!);
        int saved = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 2;
            int before = RowChainStep.SplitRuns;
            var actual = (Tensor)new GraphExecutor(graph, null).Run(inputs)[0]!;
            Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
            Assert.Equal(before + 1, RowChainStep.SplitRuns);
        }
        finally
        {
            Threading.NumThreads = saved;
        }
    }

    [Fact]
    public void A_chain_that_needs_gradients_runs_layer_by_layer_and_gives_them()
    {
        var graph = KirParser.Parse(Mlp);
        var fused = GraphCloner.Clone(graph);
        new PassManager([new FusionPass()]).Run(fused);
        var inputs = Inputs(graph, 32, requireGrad: true);
        var w1 = (Tensor)inputs[1]!;
        ((Tensor)new GraphExecutor(graph, null).Run(inputs)[0]!).Sum().Backward();
        var expected = w1.Grad!.ToArray<float>();
        w1.Grad = null;
        int before = RowChainStep.SplitRuns;
        ((Tensor)new GraphExecutor(fused, null).Run(inputs)[0]!).Sum().Backward();
        Assert.Equal(before, RowChainStep.SplitRuns);
        TensorAssert.Close(Tensor.FromArray(expected, w1.Shape), w1.Grad!, new(1e-3, 1e-4), "gradient of w1");
    }

    [Fact]
    public void A_product_read_twice_ends_the_chain()
    {
        // %a feeds the second linear and the sum: the second layer cannot take its rows from a thread's own share alone.
        var graph = KirParser.Parse("""
            graph @g(%x: f32[64, 20], %w1: f32[20, 20], %w2: f32[20, 20]) -> (f32[64, 20]) {
              %a: f32[64, 20] = linear(%x, %w1)
              %y: f32[64, 20] = linear(%a, %w2)
              %s: f32[64, 20] = add(%y, %a)
              return %s
            }
            """);
        var inputs = Inputs(graph, 64, requireGrad: false);
        var (x, w1, w2) = ((Tensor)inputs[0]!, (Tensor)inputs[1]!, (Tensor)inputs[2]!);
        var a = Functional.Linear(x, w1);
        int before = RowChainStep.SplitRuns;
        var actual = (Tensor)new GraphExecutor(graph, null).Run(inputs)[0]!;
        Assert.Equal((Functional.Linear(a, w2) + a).ToArray<float>(), actual.ToArray<float>());
        Assert.Equal(before, RowChainStep.SplitRuns);
    }

    [Fact]
    public void A_layer_that_fails_is_named_by_its_own_node()
    {
        // The second weight's in-features do not fit (a graph the verifier would refuse, run unverified): the split
        // refuses the chain, and the layers' own steps run and fail where they would unchained, at the second linear.
        var graph = KirParser.Parse("""
            graph @g(%x: f32[64, 20], %w1: f32[30, 20], %w2: f32[25, 31]) -> (f32[64, 25]) {
              %a: f32[64, 30] = linear(%x, %w1)
              %y: f32[64, 25] = linear(%a, %w2)
              return %y
            }
            """, null, verify: false);
        var generator = new Generator(5);
        object?[] inputs = [Tensor.Randn([64, 20], generator: generator), Tensor.Randn([30, 20], generator: generator), Tensor.Randn([25, 31], generator: generator)];
        var error = Assert.Throws<GraphExecutionException>(() => new GraphExecutor(graph, null).Run(inputs));
        Assert.Same(graph.Body.Nodes[1], error.Node);
        Assert.Contains("linear", error.InnerException!.Message, StringComparison.Ordinal);
    }

    private static object?[] Inputs(Kiln.IR.Graph graph, long batch, bool requireGrad)
    {
        var generator = new Generator(batch);
        return [.. graph.Inputs.Select(i =>
        {
            var t = Tensor.Randn([.. i.TensorType.Shape.Select(d => d.IsSymbol ? batch : d.Size)], generator: generator) * 0.3;
            return (object?)(requireGrad && i.Name == "w1" ? t.RequiresGrad_() : t);
        })];
    }
}
