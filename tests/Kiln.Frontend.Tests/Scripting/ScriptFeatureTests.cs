using Kiln.Frontend.Tests.Corpus;
using Kiln.IR;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>The language features of <see cref="ScriptModels"/>' models, scripted and compared with eager mode.</summary>
public sealed class ScriptFeatureTests
{
    [Fact]
    public void While_on_tensor_data_becomes_a_loop_node_that_runs_any_number_of_times()
    {
        var model = new HalveUntilSmall();
        var scripted = Jit.Script(model);
        Kiln.Random.ManualSeed(5);
        foreach (var x in new[] { Tensor.Randn(2, 4) * 40, Tensor.Randn(3, 4) * 0.1 })
            CorpusCheck.AssertSame("halved", model.Forward(x), scripted.Forward(x));
        Assert.All(scripted.Graphs, g => Assert.Single(g.Body.Nodes, n => n.Kind == NodeKind.Loop));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Script_time_control_flow_tuples_lists_and_helpers_match_eager(bool training)
    {
        Kiln.Random.ManualSeed(8);
        var model = new ControlFlowMix();
        model.Train(training);
        var scripted = Jit.Script(model);
        foreach (var batch in CorpusCase.BatchSizes)
            CorpusCheck.OutputsAndGradientsMatch(model, inputs => scripted.Run(inputs), [Tensor.Randn(batch, 4)]);
        var graph = scripted.Graph;
        Assert.Single(graph.Body.Nodes, n => n.Kind == NodeKind.If);
        // The loop skipped layer 1 (continue) and stopped before layer 3 (break): their weights are not read.
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"], graph.Parameters.Select(p => p.Name!));
        Assert.Equal(training ? 0 : 1, graph.Body.Nodes.Count(n => n.Name == "neg"));
        // The computed property was lowered from its source: it reads the bias in the graph.
        Assert.Contains(graph.Body.Nodes, n => n.Name == "mul" && n.Operands[0].Name == "layers.0.bias");
    }

    [Fact]
    public void Recursion_over_a_tree_of_submodules_lowers_every_node()
    {
        Kiln.Random.ManualSeed(9);
        var model = new TreeNode();
        var scripted = Jit.Script(model);
        CorpusCheck.OutputsAndGradientsMatch(model, inputs => scripted.Run(inputs), [Tensor.Randn(3, 4)]);
        Assert.Equal(7, scripted.Graph.Body.Nodes.Count(n => n.Name == "linear"));
    }

    [Fact]
    public void User_layers_inside_a_sequential_are_lowered_from_their_source()
    {
        Kiln.Random.ManualSeed(10);
        var model = new SequentialWithUserLayer();
        var scripted = Jit.Script(model);
        CorpusCheck.OutputsAndGradientsMatch(model, inputs => scripted.Run(inputs), [Tensor.Randn(2, 4)]);
        var doubled = Assert.Single(scripted.Graph.Body.Nodes, n => n.Name == "add");
        var source = Kiln.Scripting.ScriptSources.For(typeof(SequentialWithUserLayer)).Single(s => s.Path.EndsWith("ScriptModels.cs", StringComparison.Ordinal));
        Assert.Contains("input + input", source.Text.Split('\n')[doubled.Span!.Line - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void Scripted_module_trains_the_eager_modules_parameters()
    {
        Kiln.Random.ManualSeed(12);
        var model = new Mlp();
        var scripted = Jit.Script(model);
        var before = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Clone());
        var optimizer = new Kiln.Optim.SGD(scripted.Parameters(), lr: 0.1);
        scripted.Forward(Tensor.Randn(4, 8)).Square().Mean().Backward();
        optimizer.Step();
        Assert.All(model.NamedParameters(), p => Assert.False(p.Parameter.Eq(before[p.Name]).All().Item<bool>(), $"{p.Name} did not change"));
    }
}
