using Kiln.Codegen.Kernels;
using Kiln.Codegen;
using Kiln.Frontend.Tests.Corpus;
using Kiln.Frontend.Tests.SaveLoad;
using Kiln.IR;
using Kiln.NN;
using Kiln.Testing;

namespace Kiln.Frontend.Tests.Optimize;

/// <summary>
/// Every corpus model scripted and optimised (<see cref="ScriptModule.Optimize"/>: O1 and fusion into compiled
/// kernels): it trains like an eager twin bit for bit (fused groups run op by op when grad is needed), its inference
/// outputs match the unoptimised graph's (within a few ulps where a compiled kernel rounds differently), and saving
/// keeps the fused kernels.
/// </summary>
public sealed class OptimizeCorpusTests
{
    // Compiled kernels use vectorised exp (libmvec) for sigmoid and tanh and may contract a*b + c: a few ulps of fp32.
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(CorpusCase.Names), MemberType = typeof(CorpusCase))]
    public void Optimised_model_trains_like_an_eager_twin_at_two_batch_sizes_then_evaluates_like_it(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(11);
        var model = c.Create();
        var eager = c.Twin(model);
        var optimised = Jit.Script(model).Optimize();
        Assert.True(optimised.IsOptimized);
        CorpusCheck.TrainsThenEvaluatesLikeTwin(eager, model, optimised, c);
    }

    [Theory]
    [MemberData(nameof(CorpusCase.Names), MemberType = typeof(CorpusCase))]
    public void Optimised_inference_matches_the_unoptimised_graph(string name)
    {
        var c = CorpusCase.Get(name);
        var (model, inputs) = EvalModelAndInputs(c);
        var plain = Jit.Script(model, inputs);
        var optimised = Jit.Script(model, inputs).Optimize();
        using (Autograd.NoGrad())
        {
            var expected = CorpusCheck.Flatten(plain.Run(inputs));
            var actual = CorpusCheck.Flatten(optimised.Run(inputs));
            Assert.Equal(expected.Length, actual.Length);
            // Without fused groups, the optimised graph runs the same kernels: bit for bit.
            bool fused = FusedCallees(optimised.Graph).Any();
            for (int i = 0; i < expected.Length; i++)
            {
                if (fused) AssertClose($"output {i}", expected[i], actual[i]);
                else CorpusCheck.AssertSame($"output {i}", expected[i], actual[i]);
            }
        }
        Assert.DoesNotContain(plain.Graph.AllNodes(), n => n.Kind == NodeKind.Call);
    }

    [LlvmFact]
    public void Every_corpus_models_fused_groups_compile()
    {
        var failures = new List<string>();
        foreach (var c in CorpusCase.All)
        {
            var (model, inputs) = EvalModelAndInputs(c);
            foreach (var callee in FusedCallees(Jit.Script(model, inputs).Optimize().Graph))
            {
                if (!KernelCompiler.TryCompileGroup(callee, out string? why)) failures.Add($"{c.Name} @{callee.Name}: {why}");
            }
        }
        Assert.True(failures.Count == 0, "fused groups that do not compile:\n" + string.Join("\n", failures));
    }

    /// <summary>The case's model, seeded and in eval mode, with inputs at batch size 3.</summary>
    private static (Module Model, Tensor[] Inputs) EvalModelAndInputs(CorpusCase c)
    {
        Kiln.Random.ManualSeed(11);
        var model = c.Create();
        model.Eval();
        return (model, c.Inputs(3));
    }

    [Fact]
    public void Optimize_after_running_replaces_the_graphs_made_so_far_and_leaves_the_old_ones_alone()
    {
        var c = CorpusCase.Get(nameof(LstmLoop));
        var scripted = Jit.Script(c.Create(), c.Inputs(2));
        var before = scripted.Graph;
        Assert.Empty(FusedCallees(before));
        Assert.Same(scripted, scripted.Optimize());
        Assert.NotSame(before, scripted.Graph);
        Assert.NotEmpty(FusedCallees(scripted.Graph));
        Assert.Empty(FusedCallees(before));
        Assert.Single(scripted.Graphs);
    }

    [Fact]
    public void Saved_optimised_module_holds_the_fused_kernels_of_each_graph_and_runs_them_like_the_original()
    {
        var c = CorpusCase.Get(nameof(LstmLoop));
        Kiln.Random.ManualSeed(11);
        var optimised = Jit.Script(c.Create()).Optimize();
        var inputs = c.Inputs(2);
        // Two graphs (training and evaluation), whose fused callees have the same names: the file must keep them apart.
        optimised.Run(inputs);
        optimised.Eval();
        optimised.Run(inputs);
        Assert.Equal(2, optimised.Graphs.Count);
        Assert.Equal(FusedCallees(optimised.Graphs[0]).Select(g => g.Name), FusedCallees(optimised.Graphs[1]).Select(g => g.Name));

        var loaded = SaveLoadCorpusTests.ThroughStream(optimised);
        Assert.Equal(2, loaded.Graphs.Count);
        var names = loaded.Graphs.SelectMany(FusedCallees).Select(g => g.Name).ToList();
        Assert.NotEmpty(names);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Contains(FusionMarker, n, StringComparison.Ordinal));
        using (Autograd.NoGrad())
            CorpusCheck.AssertSame("evaluation output", (Tensor)optimised.Run(inputs)[0]!, (Tensor)loaded.Run(inputs)[0]!);
        optimised.Train();
        loaded.Train();
        var (outputs, grads) = CorpusCheck.Run(optimised, () => CorpusCheck.Flatten(optimised.Run(inputs)));
        var (loadedOutputs, loadedGrads) = CorpusCheck.Run(loaded, () => CorpusCheck.Flatten(loaded.Run(inputs)));
        CorpusCheck.AssertSame("training output", outputs[0], loadedOutputs[0]);
        Assert.Equal(grads.Keys, loadedGrads.Keys);
        foreach (var (param, grad) in grads) CorpusCheck.AssertSame($"gradient of {param}", grad, loadedGrads[param]);
    }

    private const string FusionMarker = "_fused_";

    private static IEnumerable<Graph> FusedCallees(Graph graph) =>
        graph.AllNodes().Select(n => n.Callee).OfType<Graph>().Where(g => g.Name.Contains(FusionMarker, StringComparison.Ordinal));

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.To(DType.Float64).ToArray<double>();
        var a = actual.To(DType.Float64).ToArray<double>();
        int bad = Enumerable.Range(0, e.Length).FirstOrDefault(k => !(Math.Abs(e[k] - a[k]) <= Tolerance * (1 + Math.Abs(e[k]))), -1);
        Assert.True(bad < 0, $"{what}: element {bad} is {(bad < 0 ? 0 : a[bad])}, expected {(bad < 0 ? 0 : e[bad])}");
    }
}
