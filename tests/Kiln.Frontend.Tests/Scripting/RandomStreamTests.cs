using Kiln.Frontend.Tests.Corpus;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>The tests that read the default random stream run alone: other tests draw from it in parallel.</summary>
[CollectionDefinition(nameof(RandomStreamTests), DisableParallelization = true)]
public sealed class RandomStreamCollection
{
}

/// <summary>Scripting runs library code on stand-in data: it must leave module state and the random stream alone.</summary>
[Collection(nameof(RandomStreamTests))]
public sealed class RandomStreamTests
{
    [Fact]
    public void Scripting_leaves_module_state_and_the_random_stream_as_they_were()
    {
        var model = new ResidualBlock();
        var x = Tensor.Randn(2, 4, 8, 8);
        var buffers = model.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer.Clone());
        var random = Kiln.Random.DefaultGenerator.GetState();
        // Training mode: running the batch norms on stand-in data would update their running statistics.
        Jit.Script(model, x);
        Jit.Script(new HalfDropout(), x);
        Assert.Equal(random, Kiln.Random.DefaultGenerator.GetState());
        foreach (var (name, buffer) in model.NamedBuffers()) CorpusCheck.AssertSame(name, buffers[name], buffer);
    }

    [Fact]
    public void A_scripted_random_op_draws_like_eager_and_noise_without_a_tensor_input_is_refused()
    {
        var model = new HalfDropout();
        var x = Tensor.Randn(4, 6);
        var scripted = Jit.Script(model, x);
        Kiln.Random.ManualSeed(21);
        var eager = model.Forward(x);
        Kiln.Random.ManualSeed(21);
        CorpusCheck.AssertSame("dropout", eager, scripted.Forward(x));
        var error = Assert.Single(Assert.Throws<ScriptException>(() => Jit.Script(new FrozenNoise(), x)).Diagnostics);
        Assert.Equal("KILN0103", error.Id);
        Assert.Contains("Tensor.Randn(", File.ReadAllLines(error.File!)[error.Line - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_traced_dropout_draws_anew_on_each_run_like_eager()
    {
        var model = new HalfDropout();
        var x = Tensor.Randn(4, 6);
        var traced = Jit.Trace(model, x);
        Assert.Contains(traced.Graph.Body.Nodes, n => n.Name == "dropout");
        Kiln.Random.ManualSeed(22);
        var first = model.Forward(x);
        var second = model.Forward(x);
        Kiln.Random.ManualSeed(22);
        CorpusCheck.AssertSame("first draw", first, traced.Forward(x));
        CorpusCheck.AssertSame("second draw", second, traced.Forward(x));
    }
}
