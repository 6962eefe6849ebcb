using Kiln.Frontend.Tests.Corpus;

namespace Kiln.Frontend.Tests.Tracing;

/// <summary>Every traceable corpus model, traced and run as a graph, against an eager twin at two batch sizes and in both modes.</summary>
public sealed class TraceCorpusTests
{
    [Theory]
    [MemberData(nameof(CorpusCase.TraceableNames), MemberType = typeof(CorpusCase))]
    public void Traced_model_trains_like_an_eager_twin_at_two_batch_sizes_then_evaluates_like_it(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(6);
        var model = c.Create();
        var eager = c.Twin(model);
        var traced = Jit.Trace(model, c.Inputs(CorpusCase.BatchSizes[0]));
        CorpusCheck.TrainsThenEvaluatesLikeTwin(eager, model, traced, c);
        // A fixed-shape trace is traced again for the other batch size (its graph's input types are concrete).
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
        Assert.Equal(c.ReturnsTuple ? 2 : 1, traced.Graph.Outputs.Count - traced.StateOutputs.Count);
        Assert.Equal(inputs.Length, traced.Graph.Inputs.Count);
    }
}
