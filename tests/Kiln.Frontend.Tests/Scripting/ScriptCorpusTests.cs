using Kiln.Frontend.Tests.Corpus;
using Kiln.IR;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>Every corpus model scripted with Jit.Script and run as a graph, against an eager twin at two batch sizes and in both modes.</summary>
public sealed class ScriptCorpusTests
{
    [Theory]
    [MemberData(nameof(CorpusCase.Names), MemberType = typeof(CorpusCase))]
    public void Scripted_model_trains_like_an_eager_twin_at_two_batch_sizes_then_evaluates_like_it(string name)
    {
        var c = CorpusCase.Get(name);
        Kiln.Random.ManualSeed(11);
        var model = c.Create();
        var eager = c.Twin(model);
        var scripted = Jit.Script(model);
        CorpusCheck.TrainsThenEvaluatesLikeTwin(eager, model, scripted, c);
        Assert.Equal(c.ReturnsTuple ? 2 : 1, scripted.Graphs[0].Outputs.Count - model.NamedBuffers().Count());
    }

    [Theory]
    [MemberData(nameof(CorpusCase.Names), MemberType = typeof(CorpusCase))]
    public void Scripted_graph_prints_and_parses_back(string name)
    {
        var c = CorpusCase.Get(name);
        var graph = Jit.Script(c.Create(), c.Inputs(2)).Graph;
        string text = KirPrinter.Print(graph);
        var constants = graph.AllNodes().Select(n => n.Constant).OfType<TensorConstant>().ToDictionary(k => k.Name);
        Assert.Equal(text, KirPrinter.Print(KirParser.Parse(text, constants)));
    }

    [Fact]
    public void Data_dependent_if_becomes_an_if_node_and_both_branches_match_eager()
    {
        var model = new DataDependentIf();
        // fc is the identity, so the branch follows the sign of the input's sum.
        using (Autograd.NoGrad())
        {
            var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
            parameters["fc.weight"].Copy_(Tensor.Eye(8));
            parameters["fc.bias"].Zero_();
        }
        var scripted = Jit.Script(model);
        Kiln.Random.ManualSeed(3);
        var positive = Tensor.Randn(3, 8) + 2;
        var negative = Tensor.Randn(3, 8) - 2;
        CorpusCheck.OutputsAndGradientsMatch(model, inputs => scripted.Run(inputs), [positive]);
        CorpusCheck.OutputsAndGradientsMatch(model, inputs => scripted.Run(inputs), [negative]);
        CorpusCheck.AssertSame("relu branch", positive.Relu(), scripted.Forward(positive));
        CorpusCheck.AssertSame("negation branch", -negative, scripted.Forward(negative));
        var branch = Assert.Single(scripted.Graph.Body.Nodes, n => n.Kind == NodeKind.If);
        Assert.Contains(branch.Blocks[0].Nodes, n => n.Name == "relu");
        Assert.Contains(branch.Blocks[1].Nodes, n => n.Name == "neg");
    }

    [Fact]
    public void Graph_nodes_carry_the_csharp_spans()
    {
        var graph = Jit.Script(new Mlp(), Tensor.Randn(2, 8)).Graph;
        var source = Kiln.Scripting.ScriptSources.For(typeof(Mlp)).Single(s => s.Path.EndsWith("Mlp.cs", StringComparison.Ordinal));
        var lines = source.Text.Split('\n');
        int hidden = Array.FindIndex(lines, l => l.Contains("F.Relu(fc1.Forward(x))", StringComparison.Ordinal)) + 1;
        int output = Array.FindIndex(lines, l => l.Contains("return fc2.Forward(h)", StringComparison.Ordinal)) + 1;
        var linears = graph.Body.Nodes.Where(n => n.Name == "linear").ToList();
        Assert.Equal(2, linears.Count);
        Assert.All(linears, n => Assert.Equal(source.Path, n.Span!.File));
        Assert.Equal(hidden, linears[0].Span!.Line);
        Assert.Equal(output, linears[1].Span!.Line);
        Assert.Contains($"Mlp.cs\":{hidden}:", KirPrinter.Print(graph), StringComparison.Ordinal);
    }
}
