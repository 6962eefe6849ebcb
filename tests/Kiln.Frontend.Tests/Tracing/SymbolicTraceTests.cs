using Kiln.Frontend.Tests.Corpus;

namespace Kiln.Frontend.Tests.Tracing;

/// <summary>Symbolic batch dims: granted where two traces agree, refused (KILN0102) where a size is baked in.</summary>
public sealed class SymbolicTraceTests
{
    // The models whose graphs do not depend on the batch size (Flatten leaves the batch dim to reshape); the others reshape by it or make zeros of its size.
    private static readonly HashSet<string> BatchFree = [nameof(Mlp), nameof(LeNet), nameof(ResidualBlock), nameof(LayerStack), nameof(TwoHeads), nameof(Composite), nameof(BnMlp), nameof(ConvBnNet)];

    public static TheoryData<string> BatchFreeNames => [.. BatchFree];

    public static TheoryData<string> BatchBoundNames => [.. CorpusCase.All.Where(c => !c.DataDependent && !BatchFree.Contains(c.Name)).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(BatchFreeNames))]
    public void One_symbolic_graph_serves_every_batch_size(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(8);
        var model = c.Create();
        var traced = Jit.Trace(model, new TraceOptions { DynamicBatch = true, BatchDim = c.BatchDim }, c.Inputs(2));
        Assert.Equal("?b", traced.Graph.Inputs[0].TensorType.Shape[c.BatchDim].ToString());
        foreach (var batch in new long[] { 2, 3, 5 })
            CorpusCheck.OutputsAndGradientsMatch(model, inputs => traced.Run(inputs), c.Inputs(batch));
        Assert.Single(traced.Graphs);
    }

    [Theory]
    [MemberData(nameof(BatchBoundNames))]
    public void A_batch_size_baked_into_the_trace_is_reported_at_its_line(string name)
    {
        var c = CorpusCase.Get(name);
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(c.Create(), new TraceOptions { DynamicBatch = true, BatchDim = c.BatchDim }, c.Inputs(2)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0102", d.Id);
        Assert.EndsWith(name + ".cs", d.File, StringComparison.Ordinal);
        Assert.True(d.Line > 0);
        Assert.Contains("?b = 2 and 3", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zeros_of_the_batch_size_is_named_as_a_constant()
    {
        var c = CorpusCase.Get(nameof(LstmLoop));
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(c.Create(), new TraceOptions { DynamicBatch = true, BatchDim = 1 }, c.Inputs(2)));
        Assert.Contains("float32[2, 8] at the first sizes but float32[3, 8] at the second", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reshape_by_the_batch_size_is_named_with_its_attributes()
    {
        var c = CorpusCase.Get(nameof(SelfAttention));
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(c.Create(), new TraceOptions { DynamicBatch = true, BatchDim = c.BatchDim }, c.Inputs(2)));
        Assert.Contains("reshape at SelfAttention.cs", e.Message, StringComparison.Ordinal);
        Assert.Contains("{shape=[", e.Message, StringComparison.Ordinal);
        Assert.Contains("at the first sizes but {shape=[", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_that_disagree_on_a_symbol_are_refused()
    {
        var model = new Kiln.NN.Bilinear(3, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => Jit.Trace(model, new TraceOptions { DynamicBatch = true }, Tensor.Randn(2, 3), Tensor.Randn(4, 3)));
        Assert.Contains("symbol ?b is 2 in one input but 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_named_symbolic_dim_of_one_input_is_checked_too()
    {
        Kiln.Random.ManualSeed(9);
        var model = new Mlp();
        var options = new TraceOptions { SymbolicDims = [new SymbolicDim(0, 0, "n")] };
        var traced = Jit.Trace(model, options, Tensor.Randn(4, 8));
        Assert.Equal("f32[?n, 8]", traced.Graph.Inputs[0].Type.ToString());
        CorpusCheck.OutputsAndGradientsMatch(model, inputs => traced.Run(inputs), [Tensor.Randn(7, 8)]);
    }
}
