using Kiln.Graphs;
using Kiln.IR;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// The IR's done criteria, forward half: each model's graph — built with <see cref="GraphBuilder"/> and parsed
/// from tests/kir/models — runs at two batch sizes with the same symbolic graph and gives exactly eager Kiln's
/// results (the same kernels) and PyTorch's within float32 tolerance.
/// </summary>
public sealed class ModelForwardTests
{
    private static readonly Tolerance TorchTolerance = Tolerance.For(DType.Float32);

    public static TheoryData<string, string> ModelsAndSources()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Models.All)
        {
            data.Add(model.Name, "builder");
            data.Add(model.Name, "kir");
        }
        return data;
    }

    public static TheoryData<string> ModelNames() => new(Models.All.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(ModelsAndSources))]
    public void Graph_matches_eager_kiln_exactly_and_torch_within_tolerance(string name, string source)
    {
        var model = Models.Get(name);
        var reference = GraphReference.Load(name);
        var graph = source == "builder" ? model.Build() : KirParser.Parse(GraphReference.Kir(name));
        var executor = new GraphExecutor(graph, reference.Parameters);
        Assert.Equal(2, reference.Batches.Distinct().Count());
        foreach (var batch in reference.Batches)
        {
            var inputs = model.Inputs(reference, batch);
            var outputs = executor.Run(inputs);
            var eager = model.Eager(reference.Parameters, inputs);
            var torch = reference.Outputs(batch);
            Assert.Equal(torch.Length, outputs.Length);
            Assert.Equal(torch.Length, eager.Length);
            for (int k = 0; k < outputs.Length; k++)
            {
                var actual = Assert.IsType<Tensor>(outputs[k]);
                Assert.Equal(batch, actual.Size(0));
                TensorAssert.BitwiseEqual(eager[k], actual, $"{name} ({source}) output {k} at batch {batch}");
                TensorAssert.Close(torch[k], actual, TorchTolerance, $"{name} ({source}) output {k} at batch {batch}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Kir_file_holds_the_builder_graph(string name)
    {
        var parsed = KirParser.Parse(GraphReference.Kir(name));
        Assert.Equal(Unnamed(Models.Get(name).Build()), Unnamed(parsed));
    }

    /// <summary>The graph's text with every value but the inputs and parameters numbered, so the .kir file may name values for readers.</summary>
    private static string Unnamed(IrGraph graph)
    {
        foreach (var node in graph.AllNodes())
        {
            foreach (var v in node.Results.Concat(node.Blocks.SelectMany(b => b.Params))) v.Name = null;
        }
        return KirPrinter.Print(graph);
    }
}
