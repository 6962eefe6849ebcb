using Kiln.Graphs;
using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// Every decomposition computes what its op computes: each decomposable op's registry samples (floating
/// dtypes) run as a one-node graph before and after <c>decompose</c>, on the same random inputs.
/// </summary>
public class DecompositionTests
{
    public static TheoryData<string> Ops() => [.. Decompose.Decomposable.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Ops))]
    public void Decomposition_matches_the_op_on_its_samples(string name)
    {
        var op = OpRegistry.Get(name);
        int decomposed = 0;
        foreach (var sample in op.Samples().Where(s => s.Inputs.All(i => i.DType is DType.Float32 or DType.Float64)))
        {
            // Some samples are bad inputs that torch rejects (and the type rule with it): nothing to decompose.
            if (OneNode(op, sample) is not { } graph) continue;
            var lowered = GraphCloner.Clone(graph);
            new PassManager([new Decompose([name])]).Run(lowered);
            if (lowered.AllNodes().Any(n => n.Name == name)) continue;
            decomposed++;
            Kiln.Random.ManualSeed(decomposed);
            var inputs = sample.Inputs.Select(Input).ToArray<object?>();
            var expected = new GraphExecutor(graph).Run(inputs);
            var actual = new GraphExecutor(lowered).Run(inputs);
            var tolerance = sample.Inputs[0].DType == DType.Float64 ? new Tolerance(1e-10, 1e-12) : new Tolerance(2e-5, 2e-6);
            for (int i = 0; i < expected.Length; i++)
                TensorAssert.Close((Tensor)expected[i]!, (Tensor)actual[i]!, tolerance, $"{name} {sample.Id} result {i}");
        }
        Assert.True(decomposed > 0, $"no float sample of {name} was decomposed");
    }

    private static IR.Graph? OneNode(OpDef op, OpSample sample)
    {
        var graph = new IR.Graph("one");
        var inputs = sample.Inputs.Select((spec, i) => graph.AddInput("in" + i, TensorValueType.Of(spec.DType, [.. spec.Shape.Select(Dim.Of)]))).ToArray();
        var builder = new GraphBuilder(graph);
        try
        {
            builder.Return(builder.AddMulti(op, inputs, sample.Attrs));
        }
        catch (IrException)
        {
            return null;
        }
        return graph;
    }

    /// <summary>Random normal values; positive ones where the sample's domain asks for them.</summary>
    private static Tensor Input(TensorSpec spec)
    {
        var t = Tensor.Randn(spec.Shape, spec.DType);
        return spec.Domain == SampleDomain.Any ? t : t.Abs() + 0.5;
    }
}
