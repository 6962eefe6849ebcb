using Kiln.Frontend.Tests.Corpus;

namespace Kiln.Frontend.Tests.SaveLoad;

/// <summary>Weights in and out of script modules as safetensors, by the eager module's state-dict names.</summary>
public sealed class SafetensorsWeightsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("kiln-weights-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Weights_saved_from_a_script_module_load_into_an_eager_twin_and_back_into_a_loaded_one()
    {
        var c = CorpusCase.Get(nameof(ConvBnNet));
        var (scripted, inputs) = SaveLoadCorpusTests.RunOnce(c, scripted: true);
        var path = Path.Combine(dir, "weights.safetensors");
        scripted.SaveSafetensors(path);

        var twin = c.Create();
        Assert.Empty(twin.LoadSafetensors(path).MissingKeys);
        scripted.Eval();
        twin.Eval();
        CorpusCheck.AssertSame("eager twin with the script module's weights", CorpusCheck.Eager(twin, inputs)[0], CorpusCheck.Flatten(scripted.Run(inputs))[0]);

        // A loaded module takes new weights by the same names: after loading the twin's (perturbed) weights it computes like the twin.
        var loaded = SaveLoadCorpusTests.ThroughStream(scripted);
        using (Autograd.NoGrad())
        {
            foreach (var p in twin.Parameters()) p.Mul_(0.5);
        }
        twin.SaveSafetensors(path);
        Assert.Empty(loaded.LoadSafetensors(path).MissingKeys);
        CorpusCheck.AssertSame("loaded module with the twin's new weights", CorpusCheck.Eager(twin, inputs)[0], CorpusCheck.Flatten(loaded.Run(inputs))[0]);
    }
}
