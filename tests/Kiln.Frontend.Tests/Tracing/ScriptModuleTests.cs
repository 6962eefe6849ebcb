using Kiln.Frontend.Tests.Corpus;
using Kiln.NN;
using Kiln.Optim;

namespace Kiln.Frontend.Tests.Tracing;

/// <summary>A traced <see cref="ScriptModule"/> as a module: shared state, training through it, modes and errors.</summary>
public sealed class ScriptModuleTests
{
    [Fact]
    public void Parameters_and_state_dict_are_the_eager_modules_tensors_under_the_same_names()
    {
        var model = new Composite();
        var traced = Jit.Trace(model, Tensor.Randn(2, 8));
        Assert.Same(model, traced.Module);
        Assert.Equal(model.NamedParameters().Select(p => p.Name), traced.NamedParameters().Select(p => p.Name));
        Assert.All(model.NamedParameters().Zip(traced.NamedParameters()), pair => Assert.Same(pair.First.Parameter, pair.Second.Parameter));
        Assert.Equal(model.StateDict().Keys.Order(), traced.StateDict().Keys.Order());
        Assert.Equal(new ResidualBlock().StateDict().Keys.Order(), Jit.Trace(new ResidualBlock(), Tensor.Randn(2, 4, 8, 8)).StateDict().Keys.Order());
    }

    [Fact]
    public void An_adam_step_through_the_traced_module_trains_the_eager_module()
    {
        Kiln.Random.ManualSeed(10);
        var model = new Mlp();
        var x = Tensor.Randn(4, 8);
        var traced = Jit.Trace(model, x);
        var before = model.Parameters().Select(p => p.Clone()).ToArray();
        var optimizer = new Adam(traced.Parameters(), lr: 0.01);
        optimizer.ZeroGrad();
        traced.Forward(x).Square().Mean().Backward();
        optimizer.Step();
        Assert.All(model.Parameters().Zip(before), pair => Assert.False(pair.First.Eq(pair.Second).All().Item<bool>(), "a parameter did not change"));
        // The graph reads the live parameters, so it follows the step.
        CorpusCheck.AssertSame("output after the step", model.Forward(x), traced.Forward(x));
    }

    [Fact]
    public void Eval_switches_to_a_graph_traced_in_evaluation_mode_and_back()
    {
        Kiln.Random.ManualSeed(11);
        var model = new ResidualBlock();
        var x = Tensor.Randn(2, 4, 8, 8);
        var traced = Jit.Trace(model, x);
        traced.Eval();
        var output = traced.Forward(x);
        // Eval reaches the shared submodules at once and the wrapped module itself on the next call.
        Assert.False(model.Training);
        CorpusCheck.AssertSame("eval output", model.Forward(x), output);
        Assert.Equal(2, traced.Graphs.Count);
        Assert.All(traced.Graph.Body.Nodes.Where(n => n.Name == "batch_norm"), n => Assert.Equal(false, n.Attrs["training"]));
        traced.Train();
        traced.Forward(x);
        Assert.Equal(2, traced.Graphs.Count);
        Assert.True(model.Training);
    }

    [Fact]
    public void Tracing_leaves_batch_norm_statistics_as_they_were()
    {
        var model = new ResidualBlock();
        var before = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        Jit.Trace(model, Tensor.Randn(2, 4, 8, 8));
        Assert.All(before, kv => CorpusCheck.AssertSame(kv.Key, kv.Value, model.StateDict()[kv.Key]));
    }

    [Fact]
    public void Forward_of_a_module_returning_a_tuple_points_to_run()
    {
        var traced = Jit.Trace(new TwoHeads(), Tensor.Randn(2, 8));
        var e = Assert.Throws<InvalidOperationException>(() => traced.Forward(Tensor.Randn(2, 8)));
        Assert.Contains("returns 2 outputs", e.Message, StringComparison.Ordinal);
        Assert.Contains("use Run", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, traced.Run(Tensor.Randn(2, 8)).Length);
    }

    [Fact]
    public void Graph_before_anything_was_lowered_says_how_to_get_one()
    {
        var scripted = Jit.Script(new Mlp());
        var e = Assert.Throws<InvalidOperationException>(() => scripted.Graph);
        Assert.Contains("no graph yet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_that_are_not_tensors_are_refused()
    {
        var traced = Jit.Trace(new Mlp(), Tensor.Randn(2, 8));
        var e = Assert.Throws<ArgumentException>(() => traced.Run(3L));
        Assert.Contains("input 0 is a Int64", e.Message, StringComparison.Ordinal);
    }
}
