using Kiln.Frontend.Tests.Corpus;
using Kiln.Optim;

namespace Kiln.Frontend.Tests.SaveLoad;

/// <summary>
/// Every corpus model, scripted and traced, run once, saved to a stream and to a file, and loaded: the loaded module
/// gives the same outputs, gradients and state updates, bit for bit, trains, and holds the same state dict, with no
/// model class behind it.
/// </summary>
public sealed class SaveLoadCorpusTests
{
    /// <summary>Each corpus model with each way of making its graph (tracing only where it can).</summary>
    public static TheoryData<string, bool> Cases
    {
        get
        {
            var cases = new TheoryData<string, bool>();
            foreach (var c in CorpusCase.All)
            {
                cases.Add(c.Name, true);
                if (!c.DataDependent) cases.Add(c.Name, false);
            }
            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loaded_module_matches_the_saved_one_bit_for_bit_and_trains(string name, bool scripted)
    {
        var c = CorpusCase.Get(name);
        var (original, inputs) = RunOnce(c, scripted);
        foreach (var loaded in new[] { ThroughStream(original), ThroughFile(original) })
        {
            Assert.IsNotType(original.Module.GetType(), loaded.Module);
            Assert.All(loaded.Modules(), m => Assert.Equal(typeof(ScriptModule).Assembly, m.GetType().Assembly));
            Assert.Equal(original.StateDict().Keys, loaded.StateDict().Keys);
            Assert.Equal(original.Modules().Select(m => m.Training), loaded.Modules().Select(m => m.Training));
            Assert.Equal(original.StateOutputs, loaded.StateOutputs);
            var expected = original.StateDict().ToDictionary(s => s.Key, s => s.Value.Clone());
            // Both start from the saved state; each run updates it (batch-norm statistics), so compare, then restore.
            var (outputs, grads) = SeededPass(original, inputs);
            var (loadedOutputs, loadedGrads) = SeededPass(loaded, inputs);
            Assert.Equal(outputs.Length, loadedOutputs.Length);
            for (int i = 0; i < outputs.Length; i++) CorpusCheck.AssertSame($"output {i}", outputs[i], loadedOutputs[i]);
            Assert.Equal(grads.Keys, loadedGrads.Keys);
            foreach (var (param, grad) in grads) CorpusCheck.AssertSame($"gradient of {param}", grad, loadedGrads[param]);
            CorpusCheck.BuffersMatch(original, loaded);
            var before = loaded.NamedParameters().ToDictionary(p => p.Name, p => Values(p.Parameter));
            new Adam(loaded.Parameters(), lr: 0.01).Step();
            Assert.Contains(loaded.NamedParameters(), p => !Values(p.Parameter).SequenceEqual(before[p.Name]));
            original.LoadStateDict(expected);
        }
    }

    /// <summary>A fresh corpus model's script module, run once on batch-2 inputs (so it has a graph), and those inputs.</summary>
    internal static (ScriptModule Module, Tensor[] Inputs) RunOnce(CorpusCase c, bool scripted)
    {
        Kiln.Random.ManualSeed(11);
        var model = c.Create();
        var inputs = c.Inputs(CorpusCase.BatchSizes[0]);
        var module = scripted ? Jit.Script(model) : Jit.Trace(model, inputs);
        module.Run(inputs);
        return (module, inputs);
    }

    /// <summary>Saves <paramref name="module"/> to a memory stream and loads it back.</summary>
    internal static ScriptModule ThroughStream(ScriptModule module)
    {
        using var stream = new MemoryStream();
        module.Save(stream);
        stream.Position = 0;
        return ScriptModule.Load(stream);
    }

    private static ScriptModule ThroughFile(ScriptModule module)
    {
        string path = Path.Combine(Path.GetTempPath(), $"kiln-saveload-{Guid.NewGuid():N}.kiln");
        try
        {
            module.Save(path);
            return ScriptModule.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double[] Values(Tensor tensor) => tensor.Detach().To(DType.Float64).ToArray<double>();

    // Dropout draws from the global generator: the same seed gives both modules the same masks.
    private static (Tensor[] Outputs, SortedDictionary<string, Tensor> Grads) SeededPass(ScriptModule module, Tensor[] inputs)
    {
        Kiln.Random.ManualSeed(12);
        return CorpusCheck.Run(module, () => CorpusCheck.Flatten(module.Run(inputs)));
    }
}
