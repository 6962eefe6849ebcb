using Kiln.Graphs;
using Kiln.IR;
using Kiln.NN;
using Kiln.Passes;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// <see cref="GraphMemory"/> counts what a run creates as the executor holds it (each value dropped after its last
/// use), and an optimised <see cref="ScriptModule"/> runs its fused groups as compiled kernels in inference and op by
/// op, with eager gradients, in training.
/// </summary>
public sealed class GraphMemoryTests
{
    private const long Elements = 1024;
    private const long TensorBytes = Elements * sizeof(float);

    [Fact]
    public void Chain_holds_two_intermediates_at_a_time_and_creates_one_per_op_of_five()
    {
        var (report, outputs) = GraphMemory.Measure(new GraphExecutor(Chain()), Tensor.Randn(Elements));
        // Each op's operand and result; the operand is dropped after it.
        Assert.Equal(2 * TensorBytes, report.PeakBytes);
        Assert.Equal(5 * TensorBytes, report.AllocatedBytes);
        Assert.Equal([Elements], ((Tensor)outputs[0]!).Shape);
    }

    [Fact]
    public void Fused_chain_creates_only_its_output()
    {
        var graph = Chain();
        Assert.True(new FusionPass().Run(graph, new PassContext()));
        var x = Tensor.Randn(Elements);
        var (report, outputs) = GraphMemory.Measure(new GraphExecutor(graph), x);
        Assert.Equal(TensorBytes, report.PeakBytes);
        Assert.Equal(TensorBytes, report.AllocatedBytes);
        var expected = (x.Neg().Sigmoid() * x).Relu().Tanh();
        var actual = (Tensor)outputs[0]!;
        Assert.True(actual.Sub(expected).Abs().Max().Item<float>() <= 1e-6f, "the fused chain's output differs from eager's");
    }

    [Fact]
    public void Parameters_inputs_and_outputs_views_of_them_are_not_counted()
    {
        var graph = new IrGraph("views");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, Dim.Of(Elements)));
        var g = new GraphBuilder(graph);
        graph.SetOutputs([g.Add("reshape", [x], new Attrs { { "shape", new long[] { 32, 32 } } })]);
        var (report, _) = GraphMemory.Measure(new GraphExecutor(graph), Tensor.Randn(Elements));
        Assert.Equal(0, report.PeakBytes);
        Assert.Equal(0, report.AllocatedBytes);
    }

    [Fact]
    public void Optimised_module_runs_compiled_kernels_in_inference_and_trains_op_by_op_with_eager_gradients()
    {
        Kiln.Random.ManualSeed(5);
        var model = new GatedCell();
        var x = Tensor.Randn(16, 32);
        var plain = Jit.Trace(model, x);
        var optimised = Jit.Trace(model, x).Optimize();
        Assert.Contains(optimised.Graph.AllNodes(), n => n.Callee?.Name.Contains(FusionPass.CalleeMarker, StringComparison.Ordinal) == true);

        var (expectedGrads, expected) = Gradients(model, () => plain.Forward(x));
        var (grads, actual) = Gradients(model, () => optimised.Forward(x));
        Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
        Assert.Equal(expectedGrads.Keys, grads.Keys);
        foreach (var (name, grad) in expectedGrads) Assert.Equal(grad.ToArray<float>(), grads[name].ToArray<float>());

        using (Autograd.NoGrad())
        {
            int before = CompiledKernelStep.CompiledRuns;
            var inference = optimised.Forward(x);
            Assert.Equal(Codegen.Llvm.IsAvailable, CompiledKernelStep.CompiledRuns > before);
            Assert.True(inference.Sub(plain.Forward(x)).Abs().Max().Item<float>() <= 1e-5f, "compiled inference differs from the unoptimised graph's");
            var optimisedMemory = optimised.MeasureMemory(x);
            var plainMemory = plain.MeasureMemory(x);
            // The gate's sigmoid, tanh, product and sum never exist as tensors once fused.
            Assert.True(optimisedMemory.AllocatedBytes < plainMemory.AllocatedBytes, $"optimised {optimisedMemory}, unoptimised {plainMemory}");
            Assert.True(optimisedMemory.PeakBytes < plainMemory.PeakBytes, $"optimised {optimisedMemory}, unoptimised {plainMemory}");
        }
    }

    /// <summary>x → neg → sigmoid → (· x) → relu → tanh: five elementwise ops, one of them reading x again.</summary>
    private static IrGraph Chain()
    {
        var graph = new IrGraph("chain");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, Dim.Of(Elements)));
        var g = new GraphBuilder(graph);
        var gate = g.Add("sigmoid", [g.Add("neg", [x])]);
        graph.SetOutputs([g.Add("tanh", [g.Add("relu", [g.Add("mul", [gate, x])])])]);
        return graph;
    }

    private static (Dictionary<string, Tensor> Grads, Tensor Output) Gradients(Module model, Func<Tensor> forward)
    {
        model.ZeroGrad();
        var output = forward();
        output.Sum().Backward();
        return (model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad!.Clone()), output.Detach());
    }

    /// <summary>A linear layer with a gated, elementwise epilogue (what the fusion pass groups).</summary>
    private sealed class GatedCell : Module
    {
        private readonly Linear fc = new(32, 64);

        public Tensor Forward(Tensor x)
        {
            var gates = fc.Forward(x).Chunk(2, 1);
            return gates[0].Sigmoid() * gates[1].Tanh() + gates[0];
        }
    }
}
