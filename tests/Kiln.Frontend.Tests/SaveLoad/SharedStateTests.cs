using Kiln.NN;
using Kiln.Serialization;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.SaveLoad;

/// <summary>State held under two names (tied weights, a shared submodule) and frozen parameters survive a save and load.</summary>
public sealed class SharedStateTests
{
    /// <summary>An encoder and a decoder sharing one weight, a block applied twice under two names, and a frozen bias.</summary>
    private sealed class TiedNet : Module
    {
        private readonly Linear encoder = new(6, 6);
        private readonly Linear decoder = new(6, 6);
        private readonly Linear block = new(6, 6);
        private readonly Linear again;
        private readonly Parameter tied;

        public TiedNet()
        {
            tied = encoder.Weight;
            again = block;
            block.Bias!.RequiresGrad_(false);
        }

        public Tensor Forward(Tensor x) =>
            again.Forward(F.Relu(block.Forward(decoder.Forward(F.Linear(F.Relu(encoder.Forward(x)), tied)))));
    }

    [Fact]
    public void Tied_weights_and_shared_modules_are_stored_once_and_tied_again_on_load()
    {
        Kiln.Random.ManualSeed(5);
        var net = new TiedNet();
        var x = Tensor.Randn(3, 6);
        var traced = Jit.Trace(net, x);
        using var stream = new MemoryStream();
        traced.Save(stream);
        stream.Position = 0;
        var contents = KilnFile.Read(stream);
        // The root's own members come first (as in PyTorch's named_parameters), so "tied" is the stored name.
        Assert.Contains("tied", contents.Tensors.Keys);
        Assert.DoesNotContain("encoder.weight", contents.Tensors.Keys);
        Assert.DoesNotContain("again.weight", contents.Tensors.Keys);

        stream.Position = 0;
        var loaded = ScriptModule.Load(stream);
        Assert.Equal(traced.StateDict().Keys.Order(), loaded.StateDict().Keys.Order());
        var children = loaded.Module.NamedChildren().ToDictionary(m => m.Name, m => m.Module);
        Assert.Same(children["block"], children["again"]);
        Assert.Equal(traced.Forward(x).ToArray<float>(), loaded.Forward(x).ToArray<float>());
        var loadedState = loaded.Module.StateDict();
        using (Autograd.NoGrad()) loadedState["tied"].Fill_(0.5);
        Assert.All(loadedState["encoder.weight"].ToArray<float>(), v => Assert.Equal(0.5f, v));
        Assert.Equal(traced.Parameters().Count(), loaded.Parameters().Count());
    }

    [Fact]
    public void Frozen_parameters_load_frozen_and_trainable_ones_trainable()
    {
        Kiln.Random.ManualSeed(6);
        var traced = Jit.Trace(new TiedNet(), Tensor.Randn(2, 6));
        var loaded = SaveLoadCorpusTests.ThroughStream(traced);
        var flags = loaded.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.RequiresGrad);
        Assert.False(flags["block.bias"]);
        Assert.True(flags["block.weight"]);
        Assert.True(flags["tied"]);
        Assert.Equal(traced.NamedParameters().Select(p => (p.Name, p.Parameter.RequiresGrad)), loaded.NamedParameters().Select(p => (p.Name, p.Parameter.RequiresGrad)));
    }
}
