using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Tests.Corpus;
using Kiln.NN;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>
/// Module state written by the forward pass (batch norm's running statistics, a module's own buffers) through
/// Jit.Script and Jit.Trace: returned by the graph after its outputs, and written back into the module on each run.
/// </summary>
public sealed class ModuleStateTests
{
    public static TheoryData<bool> Traced => [false, true];

    [Theory]
    [MemberData(nameof(Traced))]
    public void The_graph_returns_the_updated_state_after_its_outputs_named_after_it(bool traced)
    {
        var model = new BnMlp();
        var x = Tensor.Randn(4, 8);
        var graph = traced ? Jit.Trace(model, x) : Jit.Script(model, x);
        string[] state = ["bn.num_batches_tracked", "bn.running_mean", "bn.running_var"];
        Assert.Equal(state, graph.StateOutputs);
        var text = graph.Graph.ToString().Split('\n').Select(l => l.Trim()).ToArray();
        Assert.EndsWith(", %bn.num_batches_tracked_1, %bn.running_mean_1, %bn.running_var_1", Assert.Single(text, l => l.StartsWith("return ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Single(text, l => l.StartsWith("%bn.running_mean_1: f32[16] = ", StringComparison.Ordinal));
        Assert.Equal([4L, 4L], graph.Forward(x).Shape);
        graph.Forward(x);
        Assert.Equal(2L, model.NamedBuffers().Single(b => b.Name == "bn.num_batches_tracked").Buffer.Item<long>());
    }

    [Theory]
    [MemberData(nameof(Traced))]
    public void A_layer_called_twice_in_one_pass_reads_the_state_its_first_call_wrote(bool traced)
    {
        Kiln.Random.ManualSeed(5);
        var model = new NormTwice();
        var eager = new NormTwice();
        eager.LoadStateDict(model.StateDict());
        var graph = traced ? Jit.Trace(model, Tensor.Randn(3, 8)) : Jit.Script(model);
        foreach (var batch in CorpusCase.BatchSizes)
        {
            CorpusCheck.OutputsAndGradientsMatch(eager, model, inputs => graph.Run(inputs), [Tensor.Randn(batch, 8)]);
            CorpusCheck.BuffersMatch(eager, model);
        }
        Assert.Equal(4L, model.NamedBuffers().Single(b => b.Name == "bn.num_batches_tracked").Buffer.Item<long>());
    }

    [Fact]
    public void A_traced_module_writing_its_own_buffers_with_and_without_grad_mode_updates_them_like_eager()
    {
        var model = new RemembersLastMax();
        var eager = new RemembersLastMax();
        var traced = Jit.Trace(model, Tensor.Randn(2, 4));
        Assert.Equal(["calls", "last"], traced.StateOutputs);
        foreach (var batch in CorpusCase.BatchSizes)
        {
            var x = Tensor.Randn(batch, 4);
            CorpusCheck.AssertSame($"output at batch {batch}", eager.Forward(x), traced.Forward(x));
            CorpusCheck.BuffersMatch(eager, model);
        }
        Assert.Equal(2L, model.Calls.Item<long>());
    }

    [Fact]
    public void State_updated_inside_a_branch_on_tensor_data_is_refused_in_training_and_scripted_in_eval()
    {
        var model = new NormsWhenPositive();
        var x = Tensor.Randn(3, 8) + 1;
        var e = Assert.Throws<ScriptException>(() => Jit.Script(model, x));
        var d = Assert.Single(e.Diagnostics);
        Assert.Contains("updates module state bn.num_batches_tracked inside a branch or loop on tensor data", d.Message, StringComparison.Ordinal);
        Assert.Contains("bn.Forward(x)", File.ReadAllLines(d.File!)[d.Line - 1], StringComparison.Ordinal);
        model.Eval();
        CorpusCheck.AssertSame("eval output", model.Forward(x), Jit.Script(model, x).Forward(x));
    }

    [Fact]
    public void A_batch_norm_that_reads_its_count_into_csharp_is_refused_rather_than_frozen()
    {
        var x = Tensor.Randn(3, 8);
        var traced = Assert.Throws<ScriptException>(() => Jit.Trace(new CumulativeNorm(), x)).Diagnostics.Single();
        Assert.Equal(ScriptDiagnosticIds.TraceTensorToValue, traced.Id);
        Assert.Contains("module state bn.num_batches_tracked, which this forward pass updates", traced.Message, StringComparison.Ordinal);
        Assert.Contains("bn.Forward(x)", File.ReadAllLines(traced.File!)[traced.Line - 1], StringComparison.Ordinal);
        var scripted = Assert.Throws<ScriptException>(() => Jit.Script(new CumulativeNorm(), x)).Diagnostics.Single();
        Assert.Equal(ScriptDiagnosticIds.NotScriptTimeConstant, scripted.Id);
        var model = new CumulativeNorm();
        model.Eval();
        CorpusCheck.AssertSame("eval output", model.Forward(x), Jit.Trace(model, x).Forward(x));
    }

    /// <summary>Counts its calls under NoGrad and keeps the last batch's column maxima (grad mode on): x [N, 4] → x scaled by the old and new maxima.</summary>
    private sealed class RemembersLastMax : Module
    {
        [Buffer]
        public Tensor Calls { get; } = Tensor.Zeros([], DType.Int64);

        [Buffer]
        public Tensor Last { get; } = Tensor.Ones(4);

        public Tensor Forward(Tensor x)
        {
            using (Autograd.NoGrad()) Calls.Add_(1L);
            var before = x * Last;
            Last.Copy_(x.Amax(0));
            return before + x * Last;
        }
    }
}
