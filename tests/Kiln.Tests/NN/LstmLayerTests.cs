using Kiln.NN;

namespace Kiln.Tests.NN;

/// <summary>
/// The recorded (autograd and traced) LSTM path multiplies each step's hidden state by a row-major copy of W_hhᵀ made
/// once, with b_hh added after: it must give the bits of <c>linear(h, W_hh, b_hh)</c> at every step, with and without
/// biases, for one step and one batch row, and the same gradients; its traced and optimised graphs must agree with it.
/// </summary>
public sealed class RecurrentStepProductTests
{
    public static TheoryData<bool, long, long> Shapes => new()
    {
        { true, 6, 3 }, { false, 6, 3 }, { true, 1, 3 }, { true, 6, 1 }, { false, 1, 1 }, { true, 32, 16 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Lstm_matches_linear_per_step_bitwise_and_in_gradients(bool bias, long steps, long batch)
    {
        Random.ManualSeed(7);
        var lstm = new LSTM(64, 128, bias: bias);
        var x = Tensor.Randn([steps, batch, 64], generator: new Generator(8));
        var p = lstm.NamedParameters().ToDictionary(n => n.Name, n => n.Parameter);

        var (output, (hn, cn)) = lstm.Forward(x);
        Assert.True(output.RequiresGrad, "the module should take the recorded path");
        var (refOutput, refH, refC) = LinearPerStep(x, p["weight_ih_l0"], p["weight_hh_l0"],
            bias ? p["bias_ih_l0"] : null, bias ? p["bias_hh_l0"] : null);
        Assert.Equal(refOutput.Detach().ToArray<float>(), output.Detach().ToArray<float>());
        Assert.Equal(refH.Detach().ToArray<float>(), hn.Detach().Squeeze(0).ToArray<float>());
        Assert.Equal(refC.Detach().ToArray<float>(), cn.Detach().Squeeze(0).ToArray<float>());

        var weight = p["weight_hh_l0"];
        output.Sum().Backward();
        var grad = weight.Grad!.ToArray<float>();
        weight.Grad = null;
        refOutput.Sum().Backward();
        var refGrad = weight.Grad!.ToArray<float>();
        for (int i = 0; i < grad.Length; i++)
            Assert.True(Math.Abs(grad[i] - refGrad[i]) <= 1e-5 * (1 + Math.Abs(refGrad[i])), $"dW_hh[{i}]: {grad[i]} vs {refGrad[i]}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Traced_and_optimised_lstm_graphs_match_eager(bool bias)
    {
        Random.ManualSeed(9);
        var lstm = new LSTM(64, 128, bias: bias);
        lstm.Eval();
        var x = Tensor.Randn([5, 4, 64], generator: new Generator(10));
        float[] eager;
        using (Autograd.NoGrad()) eager = lstm.Forward(x).Output.ToArray<float>();
        foreach (bool optimize in new[] { false, true })
        {
            var scripted = Jit.Trace(lstm, x);
            if (optimize) scripted.Optimize();
            float[] graph;
            using (Autograd.NoGrad()) graph = ((Tensor)scripted.Run(x)[0]!).ToArray<float>();
            Assert.Equal(eager.Length, graph.Length);
            for (int i = 0; i < eager.Length; i++)
                Assert.True(Math.Abs(eager[i] - graph[i]) <= 1e-5, $"optimised {optimize}, element {i}: eager {eager[i]}, graph {graph[i]}");
        }
    }

    /// <summary>The LSTM as it was written before: the projection for all steps, then <c>linear(h, W_hh, b_hh)</c> at each.</summary>
    private static (Tensor Output, Tensor H, Tensor C) LinearPerStep(Tensor x, Tensor wIh, Tensor wHh, Tensor? bIh, Tensor? bHh)
    {
        long steps = x.Shape[0], hidden = wHh.Shape[1];
        var h = Tensor.Zeros([x.Shape[1], hidden]);
        var c = Tensor.Zeros([x.Shape[1], hidden]);
        var projected = Functional.Linear(x, wIh, bIh);
        var outputs = new Tensor[steps];
        for (long t = 0; t < steps; t++)
        {
            var g = projected.Select(0, t) + Functional.Linear(h, wHh, bHh);
            var i = g.Narrow(-1, 0, hidden).Sigmoid();
            var f = g.Narrow(-1, hidden, hidden).Sigmoid();
            c = f * c + i * g.Narrow(-1, 2 * hidden, hidden).Tanh();
            h = g.Narrow(-1, 3 * hidden, hidden).Sigmoid() * c.Tanh();
            outputs[t] = h;
        }
        return (Tensor.Stack(outputs), h, c);
    }
}
