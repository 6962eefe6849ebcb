using Kiln.Frontend.Tests.Corpus;

namespace Kiln.Frontend.Tests.Tracing;

/// <summary>Every traceable corpus model, traced and run as a graph, against eager mode at two batch sizes.</summary>
public sealed class TraceCorpusTests
{
    [Theory]
    [MemberData(nameof(CorpusCase.TraceableNames), MemberType = typeof(CorpusCase))]
    public void Traced_model_gives_eager_outputs_and_gradients_at_two_batch_sizes(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(6);
        var model = c.Create();
        var traced = Jit.Trace(model, c.Inputs(CorpusCase.BatchSizes[0]));
        foreach (var batch in CorpusCase.BatchSizes)
            CorpusCheck.OutputsAndGradientsMatch(model, inputs => traced.Run(inputs), c.Inputs(batch));
        // A fixed-shape trace is traced again for the other batch size (its graph's input types are concrete).
        Assert.Equal(CorpusCase.BatchSizes.Length, traced.Graphs.Count);
        Assert.All(traced.Graphs, g => Assert.True(g.Inputs[0].TensorType.IsConcrete));
    }

    [Theory]
    [MemberData(nameof(CorpusCase.TraceableNames), MemberType = typeof(CorpusCase))]
    public void Traced_graph_outputs_are_the_eager_outputs_in_order(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(7);
        var model = c.Create();
        var inputs = c.Inputs(2);
        var traced = Jit.Trace(model, inputs);
        Assert.Equal(c.ReturnsTuple ? 2 : 1, traced.Graph.Outputs.Count);
        Assert.Equal(inputs.Length, traced.Graph.Inputs.Count);
    }
}
