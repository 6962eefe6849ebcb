using Kiln.Frontend.Tests.Corpus;
using Kiln.Serialization;

namespace Kiln.Frontend.Tests.SaveLoad;

/// <summary>What saving and loading refuse: a module with no graph, inputs no stored graph takes, and damaged files.</summary>
public sealed class SaveLoadErrorTests
{
    [Fact]
    public void Saving_a_module_with_no_graph_says_to_run_it_first()
    {
        var scripted = Jit.Script(new Mlp());
        var e = Assert.Throws<InvalidOperationException>(() => scripted.Save(new MemoryStream()));
        Assert.Contains("call Forward", e.Message, StringComparison.Ordinal);
        Assert.Contains("Jit.Script(module, example)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loaded_fixed_shape_trace_refuses_another_batch_size_and_mode_naming_the_stored_signature()
    {
        var (traced, _) = SaveLoadCorpusTests.RunOnce(CorpusCase.Get(nameof(Mlp)), scripted: false);
        var loaded = SaveLoadCorpusTests.ThroughStream(traced);
        var e = Assert.Throws<ArgumentException>(() => loaded.Run(Tensor.Randn(3, 8)));
        Assert.Contains("no stored graph takes inputs (float32[3, 8])", e.Message, StringComparison.Ordinal);
        Assert.Contains(traced.Graph.Inputs[0].Type.ToString()!, e.Message, StringComparison.Ordinal);
        loaded.Eval();
        Assert.Throws<ArgumentException>(() => loaded.Run(Tensor.Randn(2, 8)));
    }

    [Fact]
    public void Loaded_symbolic_trace_runs_at_any_batch_size_like_the_saved_one()
    {
        var c = CorpusCase.Get(nameof(BnMlp));
        Kiln.Random.ManualSeed(13);
        var traced = Jit.Trace(c.Create(), new TraceOptions { DynamicBatch = true }, c.Inputs(2));
        var loaded = SaveLoadCorpusTests.ThroughStream(traced);
        var inputs = c.Inputs(5);
        CorpusCheck.AssertSame("output", traced.Forward(inputs), loaded.Forward(inputs));
        CorpusCheck.BuffersMatch(traced, loaded);
        Assert.Single(loaded.Graphs);
    }

    [Fact]
    public void Loaded_module_keeps_each_stored_graph_and_picks_the_one_for_its_mode()
    {
        var c = CorpusCase.Get(nameof(ConvBnNet));
        var (scripted, inputs) = SaveLoadCorpusTests.RunOnce(c, scripted: true);
        scripted.Eval();
        var evalOutput = scripted.Forward(inputs);
        var loaded = SaveLoadCorpusTests.ThroughStream(scripted);
        Assert.Equal(2, loaded.Graphs.Count);
        Assert.False(loaded.Training);
        Assert.Empty(loaded.StateOutputs);
        CorpusCheck.AssertSame("evaluation output", evalOutput, loaded.Forward(inputs));
        // Back in training mode, the first stored graph (made in training) is picked again.
        loaded.Train();
        Assert.Single(loaded.Run(inputs));
    }

    [Fact]
    public void A_flipped_byte_in_the_tensor_table_gives_a_format_exception()
    {
        var (traced, _) = SaveLoadCorpusTests.RunOnce(CorpusCase.Get(nameof(Mlp)), scripted: false);
        using var stream = new MemoryStream();
        traced.Save(stream);
        byte[] bytes = stream.ToArray();
        // The tensor table follows the graphs in the message: the last "float32" is a tensor entry's dtype.
        int at = bytes.AsSpan().LastIndexOf("float32"u8);
        Assert.True(at > 0);
        bytes[at + 5] ^= 0x01;
        var e = Assert.Throws<KilnFormatException>(() => ScriptModule.Load(new MemoryStream(bytes)));
        Assert.Contains("dtype", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kiln.script.graphs['BnMlp_0'].modes", "1", "one flag (0 or 1) for each")]
    [InlineData("kiln.script.graphs['BnMlp_0'].stateOutputs", "fc1.weight", "not state tensors")]
    [InlineData("kiln.script.modules", "1\tbn\n1\t", "first module must be the root")]
    [InlineData("kiln.script.modules", "1\t\n1\tx.y", "not a member name under a listed module")]
    public void Script_metadata_that_does_not_fit_the_file_is_refused_naming_the_entry(string key, string value, string problem)
    {
        var (traced, _) = SaveLoadCorpusTests.RunOnce(CorpusCase.Get(nameof(BnMlp)), scripted: false);
        using var saved = new MemoryStream();
        traced.Save(saved);
        saved.Position = 0;
        var contents = KilnFile.Read(saved);
        Assert.True(contents.Metadata.ContainsKey(key));
        var metadata = contents.Metadata.ToDictionary(StringComparer.Ordinal);
        metadata[key] = value.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        using var hostile = new MemoryStream();
        KilnFile.Write(hostile, contents with { Metadata = metadata });
        hostile.Position = 0;
        var e = Assert.Throws<KilnFormatException>(() => ScriptModule.Load(hostile));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kiln_file_without_script_metadata_is_refused_naming_the_missing_field()
    {
        var (traced, _) = SaveLoadCorpusTests.RunOnce(CorpusCase.Get(nameof(Mlp)), scripted: false);
        using var saved = new MemoryStream();
        traced.Save(saved);
        saved.Position = 0;
        var contents = KilnFile.Read(saved);
        using var bare = new MemoryStream();
        KilnFile.Write(bare, contents with { Metadata = new Dictionary<string, string>() });
        bare.Position = 0;
        var e = Assert.Throws<KilnFormatException>(() => ScriptModule.Load(bare));
        Assert.Contains("kiln.script.modules", e.Message, StringComparison.Ordinal);
        Assert.Equal("Kiln", contents.Producer.Name);
        Assert.Equal("Mlp_0", contents.EntryGraph);
    }
}
