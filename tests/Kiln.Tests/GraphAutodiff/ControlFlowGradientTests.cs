using Kiln.IR;
using F = Kiln.NN.Functional;
using static Kiln.Tests.GraphAutodiff.GradientCheck;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphAutodiff;

/// <summary>
/// The autodiff pass through a data-dependent if (both branches taken) and through a loop carrying a value
/// (with an if on the iteration inside), against eager autograd running the same model with C# control flow.
/// The gradients are equal bit for bit: where a value gets several gradients there are only two, and adding
/// two floats gives the same bits in either order.
/// </summary>
public class ControlFlowGradientTests
{
    private static readonly string[] GateParameters = ["w", "bias", "v"];

    private static TensorValueType F32(params Dim[] shape) => TensorValueType.Of(DType.Float32, shape);

    /// <summary>h = linear(x, w, bias); relu(h) * h when sum(x) &gt; 0, else tanh(h) * v (v only in the else branch).</summary>
    private static IrGraph Gate()
    {
        var g = new IrGraph("gate");
        var x = g.AddInput("x", F32(4, 6));
        var w = g.AddParameter("w", F32(5, 6));
        var bias = g.AddParameter("bias", F32(5));
        var v = g.AddParameter("v", F32(5));
        var b = new GraphBuilder(g);
        var h = b.Add("linear", [x, w, bias]);
        var positive = b.Add("gt", [b.Add("sum", [x]), b.Constant(DenseConstant.Splat(F32(), 0))]);
        b.Return(b.If(positive,
            t => [t.Add("mul", [t.Add("relu", [h]), h])],
            e => [e.Add("mul", [e.Add("tanh", [h]), v])]));
        return g;
    }

    private static Tensor[] GateEager(IReadOnlyDictionary<string, Tensor> p, Tensor x)
    {
        var h = F.Linear(x, p["w"], p["bias"]);
        return [x.Sum().Item<float>() > 0 ? F.Relu(h).Mul(h) : h.Tanh().Mul(p["v"])];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gradients_through_a_data_dependent_if_equal_eager_autograd(bool positive)
    {
        var generator = new Generator(7);
        var parameters = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.Randn([5, 6], generator: generator),
            ["bias"] = Tensor.Randn([5], generator: generator),
            ["v"] = Tensor.Randn([5], generator: generator),
        };
        var x = Tensor.Randn([4, 6], generator: generator).Abs();
        if (!positive) x = x.Neg();
        var seeds = Seeds([4, 5]);

        var joint = RunJoint(Gate(), "autodiff", parameters, [x], seeds);

        var eager = Eager(p => GateEager(p, x), parameters, GateParameters, seeds);
        AssertBitwise(GateParameters, eager, joint.Gradients);
        // The branch not taken leaves v without a gradient: zeros in both.
        Assert.Equal(positive, joint.Gradients[2].ToArray<float>().All(e => e == 0));
    }

    /// <summary>
    /// h = tanh(linear(h, w, bias)) on even iterations and sigmoid(...) on odd ones, <c>steps</c> times from h0; the
    /// output is the 0-d mse_loss of the final h against a target.
    /// </summary>
    private static IrGraph Recurrence()
    {
        var g = new IrGraph("rnn");
        var steps = g.AddInput("steps", ScalarType.Int);
        var h0 = g.AddInput("h0", F32(3, 4));
        var target = g.AddInput("target", F32(3, 4));
        var w = g.AddParameter("w", F32(4, 4));
        var bias = g.AddParameter("bias", F32(4));
        var b = new GraphBuilder(g);
        var final = b.Loop(steps, [h0], (body, i, carried) =>
        {
            var z = body.Add("linear", [carried[0], w, bias]);
            var even = body.Prim("scalar_eq", [body.Prim("scalar_mod", [i, body.Constant(2L)]), body.Constant(0L)]);
            return new LoopStep(body.If(even, t => [t.Add("tanh", [z])], e => [e.Add("sigmoid", [z])]));
        });
        b.Return(b.Add("mse_loss", [final[0], target]));
        return g;
    }

    private static Tensor[] RecurrenceEager(IReadOnlyDictionary<string, Tensor> p, long steps, Tensor target)
    {
        var h = p["h0"];
        for (long i = 0; i < steps; i++)
        {
            var z = F.Linear(h, p["w"], p["bias"]);
            h = i % 2 == 0 ? z.Tanh() : z.Sigmoid();
        }
        return [F.MseLoss(h, target)];
    }

    [Theory]
    [InlineData(5L)]
    [InlineData(1L)]
    [InlineData(0L)]
    public void Gradients_through_a_loop_equal_eager_autograd(long steps)
    {
        var generator = new Generator(11);
        var parameters = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.Randn([4, 4], generator: generator),
            ["bias"] = Tensor.Randn([4], generator: generator),
        };
        var h0 = Tensor.Randn([3, 4], generator: generator);
        var target = Tensor.Randn([3, 4], generator: generator);
        string[] wrt = ["w", "bias", "h0"];

        var joint = RunJoint(Recurrence(), "autodiff{wrt=w,bias,h0 seed=ones}", parameters, [steps, h0, target], []);

        var leaves = new Dictionary<string, Tensor>(parameters) { ["h0"] = h0 };
        var eager = Eager(p => RecurrenceEager(p, steps, target), leaves, wrt, [null]);
        AssertBitwise(wrt, eager, joint.Gradients);
        if (steps == 0) Assert.All(joint.Gradients[0].ToArray<float>(), e => Assert.Equal(0, e));
    }
}
