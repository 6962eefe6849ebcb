using Kiln.IR;
using Kiln.Tests.GraphExecution;
using static Kiln.Tests.GraphAutodiff.GradientCheck;

namespace Kiln.Tests.GraphAutodiff;

/// <summary>
/// The autodiff pass on the four models of the IR's done criteria (built with the builder or parsed from their
/// <c>.kir</c> text, specialized to the reference batch size): the joint graph's gradients of every parameter, for random output seeds, against eager
/// autograd on the same weights and inputs. Both run the same VJP rules on the same kernels, so the gradients
/// are equal bit for bit, except where a weight's gradient is a sum over loop iterations (see
/// <see cref="Lstm_gradients_match_eager_autograd_up_to_summation_order"/>).
/// </summary>
public class ModelGradientTests
{
    [Theory]
    [InlineData("mlp", false)]
    [InlineData("mlp", true)]
    [InlineData("lenet", false)]
    [InlineData("lenet", true)]
    [InlineData("transformer", false)]
    [InlineData("transformer", true)]
    public void Parameter_gradients_equal_eager_autograd_bit_for_bit(string name, bool parsed)
    {
        var (wrt, eager, joint) = Compare(name, parsed);
        AssertBitwise(wrt, eager, joint);
    }

    /// <summary>
    /// The input weights' gradients are sums over the time steps: the backward loop adds them last step first,
    /// eager autograd's depth-first schedule in another order (no later step depends on a step's input
    /// projection, so it waits on the schedule's stack), and float32 addition is not associative. So those differ in the last bits (within 1e-5 relative); the recurrent
    /// weights' gradients, which both add last step first, are equal bit for bit.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lstm_gradients_match_eager_autograd_up_to_summation_order(bool parsed)
    {
        var (wrt, eager, joint) = Compare("lstm", parsed);
        for (int i = 0; i < wrt.Length; i++)
            TensorAssert.Close(eager[i], joint[i], new Tolerance(1e-5, 1e-6), $"gradient of {wrt[i]}");
        AssertBitwise(["cell.weight_hh", "cell.bias_hh"], [eager[1], eager[3]], [joint[1], joint[3]]);
    }

    /// <summary>Runs the model's joint graph and eager autograd; returns the parameter names and both sets of gradients.</summary>
    private static (string[] Wrt, Tensor[] Eager, Tensor[] Joint) Compare(string name, bool parsed)
    {
        var model = Models.Get(name);
        var reference = GraphReference.Load(name);
        long batch = reference.Batches[0];
        var inputs = model.Inputs(reference, batch);
        var eagerOutputs = model.Eager(reference.Parameters, inputs);
        var seeds = Seeds([.. eagerOutputs.Select(o => o.Shape)]);
        var graph = parsed ? KirParser.Parse(GraphReference.Kir(name)) : model.Build();
        var wrt = graph.Parameters.Select(p => p.Name!).ToArray();

        var joint = RunJoint(graph, $"specialize{{b={batch}}},autodiff", reference.Parameters, inputs, seeds);

        for (int i = 0; i < eagerOutputs.Length; i++) TensorAssert.BitwiseEqual(eagerOutputs[i], joint.Outputs[i], $"output {i}");
        Assert.Equal(graph.Parameters.Select(p => p.Type), graph.Outputs.Skip(eagerOutputs.Length).Select(o => o.Type));
        return (wrt, Eager(p => model.Eager(p, inputs), reference.Parameters, wrt, seeds), joint.Gradients);
    }
}
