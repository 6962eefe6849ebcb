using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Tests.Corpus;
using Kiln.Graphs;
using Kiln.IR;
using Kiln.NN;
using Kiln.Scripting;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>
/// Lowering for input types with a symbolic batch (?b): a graph that is provably right at every batch size, or
/// KILN0202 where a size is needed as a C# value or a library call bakes it in (the caller then scripts with concrete shapes).
/// </summary>
public sealed class SymbolicScriptTests
{
    [Fact]
    public void A_symbolic_graph_runs_at_any_batch_size_like_eager()
    {
        Kiln.Random.ManualSeed(4);
        var model = new Mlp();
        var capture = Lower(model, TensorValueType.Of(DType.Float32, Dim.Sym("b"), 8));
        Assert.Equal("f32[?b, 4]", capture.Graph.Outputs[0].Type.ToString());
        var executor = new GraphExecutor(capture.Graph, capture.Parameters);
        foreach (var batch in new long[] { 1, 5 })
        {
            var x = Tensor.Randn(batch, 8);
            CorpusCheck.AssertSame($"batch {batch}", model.Forward(x), (Tensor)executor.Run(x)[0]!);
        }
    }

    [Theory]
    [MemberData(nameof(CorpusCase.Names), MemberType = typeof(CorpusCase))]
    public void A_symbolic_batch_graph_is_right_at_two_sizes_or_refused_with_KILN0202(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(13);
        var model = c.Create();
        var example = c.Inputs(2)[0];
        var dims = example.Shape.Select(Dim.Of).ToArray();
        dims[c.BatchDim] = Dim.Sym("b");
        GraphCapture capture;
        try
        {
            capture = Lower(model, TensorValueType.Of(example.DType, dims));
        }
        catch (ScriptException e)
        {
            Assert.True(e.Diagnostics is [{ Id: ScriptDiagnosticIds.SymbolicDimAsInt }], e.Message);
            Assert.DoesNotContain(name, SymbolicModels);
            return;
        }
        Assert.Contains(name, SymbolicModels);
        var executor = new GraphExecutor(capture.Graph, capture.Parameters);
        foreach (var batch in CorpusCase.BatchSizes)
            CorpusCheck.OutputsAndGradientsMatch(model, inputs => executor.Run(inputs), c.Inputs(batch));
    }

    [Fact]
    public void A_symbolic_loop_on_tensor_data_runs_at_any_batch_size()
    {
        var model = new HalveUntilSmall();
        var capture = Lower(model, TensorValueType.Of(DType.Float32, Dim.Sym("b"), 4));
        var executor = new GraphExecutor(capture.Graph, capture.Parameters);
        Kiln.Random.ManualSeed(2);
        foreach (var batch in new long[] { 2, 7 })
        {
            var x = Tensor.Randn(batch, 4) * 30;
            CorpusCheck.AssertSame($"batch {batch}", model.Forward(x), (Tensor)executor.Run(x)[0]!);
        }
    }

    [Theory]
    [InlineData(typeof(BatchReshape), "x.Shape[0]")]
    [InlineData(typeof(LstmLoop), "x.Shape[1]")]
    public void A_size_used_as_a_csharp_value_or_baked_into_a_call_needs_concrete_shapes(Type type, string code)
    {
        var model = (Module)Activator.CreateInstance(type)!;
        Dim[] shape = type == typeof(LstmLoop) ? [5, Dim.Sym("b"), 6]
            : [Dim.Sym("b"), 4];
        var error = Assert.Throws<ScriptException>(() => Lower(model, TensorValueType.Of(DType.Float32, shape)));
        var d = Assert.Single(error.Diagnostics);
        Assert.True(d.Id == ScriptDiagnosticIds.SymbolicDimAsInt, d.ToString());
        Assert.Contains("?b", d.Message, StringComparison.Ordinal);
        Assert.Contains(code, File.ReadAllLines(d.File!)[d.Line - 1], StringComparison.Ordinal);
    }

    // The corpus models whose library calls record the same graph at every batch size.
    [Fact]
    public void Jit_Script_with_a_dynamic_batch_runs_one_graph_at_every_batch_size_or_refuses_with_KILN0202()
    {
        Kiln.Random.ManualSeed(21);
        var mlp = new Mlp();
        var scripted = Jit.Script(mlp, new TraceOptions { DynamicBatch = true }, Tensor.Randn(2, 8));
        Assert.Equal("f32[?b, 8]", scripted.Graph.Inputs[0].Type.ToString());
        foreach (var batch in new long[] { 1, 6 })
        {
            var x = Tensor.Randn(batch, 8);
            CorpusCheck.AssertSame($"batch {batch}", mlp.Forward(x), scripted.Forward(x));
        }
        Assert.Single(scripted.Graphs);

        var lstm = CorpusCase.Get(nameof(LstmLoop));
        var e = Assert.Throws<ScriptException>(() =>
            Jit.Script(lstm.Create(), new TraceOptions { DynamicBatch = true, BatchDim = lstm.BatchDim }, lstm.Inputs(2)));
        Assert.True(e.Diagnostics is [{ Id: ScriptDiagnosticIds.SymbolicDimAsInt }], e.Message);
    }

    private static readonly string[] SymbolicModels = ["Mlp", "ResidualBlock", "DataDependentIf", "LayerStack", "TwoHeads", "Composite", "BnMlp", "LeNet", "ConvBnNet"];

    private static GraphCapture Lower(Module model, params IrType[] types)
    {
        var capture = new GraphCapture(model);
        new RoslynScriptFrontend().Lower(model, types, capture);
        GraphVerifier.Verify(capture.Graph);
        return capture;
    }
}
