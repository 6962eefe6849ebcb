using Kiln.Graphs;
using Kiln.IR;
using Kiln.Passes;
using Kiln.Tests.GraphExecution;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphAutodiff;

/// <summary>
/// Runs a graph's joint forward and backward graph (from the autodiff pass) on the executor, and the same
/// model under eager autograd, so their gradients can be compared.
/// </summary>
internal static class GradientCheck
{
    /// <summary>What the joint graph returned: the forward outputs, then one gradient per wrt value.</summary>
    public sealed record Joint(Tensor[] Outputs, Tensor[] Gradients);

    /// <summary>Seeds for outputs of <paramref name="shapes"/>: normal draws from a fixed generator.</summary>
    public static Tensor[] Seeds(params long[][] shapes)
    {
        var generator = new Generator(2024);
        return [.. shapes.Select(s => Tensor.Randn(s, generator: generator))];
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/> (ending in autodiff, with the verifier after each pass) on
    /// <paramref name="graph"/> and executes the result on <paramref name="inputs"/> and then <paramref name="seeds"/>.
    /// </summary>
    public static Joint RunJoint(IrGraph graph, string pipeline, IReadOnlyDictionary<string, Tensor> parameters, object?[] inputs, Tensor[] seeds)
    {
        int outputs = graph.Outputs.Count;
        PassManager.Parse(pipeline).Run(graph);
        var results = new GraphExecutor(graph, parameters).Run([.. inputs, .. seeds]);
        return new Joint([.. results.Take(outputs).Cast<Tensor>()], [.. results.Skip(outputs).Cast<Tensor>()]);
    }

    /// <summary>
    /// The gradients eager autograd gives for <paramref name="wrt"/> (names of <paramref name="leaves"/>, copied into
    /// leaves that require grad and given to <paramref name="forward"/>) when its outputs are seeded with
    /// <paramref name="seeds"/> (null: a 0-d output seeded with 1); zeros for a leaf the outputs do not use.
    /// </summary>
    public static Tensor[] Eager(Func<IReadOnlyDictionary<string, Tensor>, Tensor[]> forward, IReadOnlyDictionary<string, Tensor> leaves,
        IReadOnlyList<string> wrt, Tensor?[] seeds)
    {
        leaves = leaves.ToDictionary(p => p.Key, p => p.Value.Clone().RequiresGrad_(), StringComparer.Ordinal);
        var outputs = forward(leaves);
        var targets = wrt.Select(name => leaves[name]).ToArray();
        var grads = Autograd.Grad(outputs, targets, seeds, allowUnused: true);
        return [.. grads.Select((g, i) => g ?? Tensor.ZerosLike(targets[i]))];
    }

    /// <summary>Every gradient bit for bit equal to eager autograd's.</summary>
    public static void AssertBitwise(IReadOnlyList<string> wrt, Tensor[] expected, Tensor[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) TensorAssert.BitwiseEqual(expected[i], actual[i], $"gradient of {wrt[i]}");
    }
}
