using System.Runtime.Intrinsics;
using Kiln.Kernels;
using Kiln.Kernels.Recurrent;
using Kiln.NN;

namespace Kiln.Tests.NN;

/// <summary>
/// The LSTM module runs each layer and direction as the <c>lstm_layer</c> op. At sizes where the kernel splits a step
/// across threads (and with hidden sizes that leave partial vectors) it must match the step-by-step composition of
/// linear, sigmoid and tanh in values and in gradients (the op's gradient rule), in both directions, give the same bits
/// with one thread and two, and its traced and optimised graphs (one op node per layer and direction) must agree with eager.
/// </summary>
public sealed class LstmLayerTests
{
    public static TheoryData<bool, long, long, long, bool> Shapes => new()
    {
        { true, 6, 3, 128, false }, { false, 6, 3, 128, true }, { true, 1, 3, 128, false }, { true, 6, 1, 100, true },
        { false, 1, 1, 20, false }, { true, 32, 16, 128, false }, { true, 7, 16, 100, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_step_by_step_composition_in_values_and_gradients(bool bias, long steps, long batch, long hidden, bool reverse)
    {
        Random.ManualSeed(7);
        var lstm = new LSTM(64, hidden, bias: bias, bidirectional: reverse);
        var x = Tensor.Randn([steps, batch, 64], generator: new Generator(8));
        var p = lstm.NamedParameters().ToDictionary(n => n.Name, n => n.Parameter);
        string suffix = reverse ? "_l0_reverse" : "_l0";
        var (wIh, wHh) = (p["weight_ih" + suffix], p["weight_hh" + suffix]);
        var (bIh, bHh) = bias ? (p["bias_ih" + suffix], p["bias_hh" + suffix]) : (null, null);
        var h0 = Tensor.Randn([batch, hidden], generator: new Generator(9));
        var c0 = Tensor.Randn([batch, hidden], generator: new Generator(10));

        var (output, hn, cn) = Functional.LstmLayer(x, h0, c0, wIh, wHh, bIh, bHh, reverse);
        Assert.True(output.RequiresGrad, "the op should be recorded");
        var (refOutput, refH, refC) = StepByStep(x, h0, c0, wIh, wHh, bIh, bHh, reverse);
        AssertClose(refOutput, output, 2e-6, "out");
        AssertClose(refH, hn, 2e-6, "h_n");
        AssertClose(refC, cn, 2e-6, "c_n");

        var parameters = bias ? new[] { wIh, wHh, bIh!, bHh! } : [wIh, wHh];
        var grads = Gradients(output, cn, parameters);
        var refGrads = Gradients(refOutput, refC, parameters);
        for (int k = 0; k < grads.Length; k++) AssertClose(refGrads[k], grads[k], 1e-5, $"gradient {k}");
    }

    [Theory]
    [InlineData(128)]
    [InlineData(100)]
    public void Results_do_not_depend_on_the_thread_count(long hidden)
    {
        Random.ManualSeed(11);
        var lstm = new LSTM(64, hidden);
        lstm.Eval();
        var x = Tensor.Randn([9, 16, 64], generator: new Generator(12));
        int threads = Threading.NumThreads;
        try
        {
            using var _ = Autograd.NoGrad();
            Threading.NumThreads = 1;
            var one = lstm.Forward(x).Output.ToArray<float>();
            Threading.NumThreads = 2;
            var two = lstm.Forward(x).Output.ToArray<float>();
            Assert.Equal(one, two);
        }
        finally
        {
            Threading.NumThreads = threads;
        }
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
            Assert.Single(scripted.Graph.AllNodes(), n => n.Name == "lstm_layer");
            if (optimize) scripted.Optimize();
            float[] graph;
            using (Autograd.NoGrad()) graph = ((Tensor)scripted.Run(x)[0]!).ToArray<float>();
            Assert.Equal(eager, graph);
        }
    }

    [Fact]
    public void Weights_written_in_place_are_laid_out_again()
    {
        // The kernel keeps each Parameter's part layout (and W_hh packed) with the weight's storage: a write must not
        // leave the next call reading the old layout.
        Random.ManualSeed(14);
        var lstm = new LSTM(64, 128);
        lstm.Eval();
        var x = Tensor.Randn([4, 16, 64], generator: new Generator(15));
        var p = lstm.NamedParameters().ToDictionary(n => n.Name, n => n.Parameter);
        var zeros = Tensor.Zeros([16, 128]);
        using var _ = Autograd.NoGrad();
        var before = lstm.Forward(x).Output;
        p["weight_hh_l0"].Mul_(0.5);
        p["weight_ih_l0"].Add_(0.01);
        var after = lstm.Forward(x).Output;
        var (expected, _, _) = StepByStep(x, zeros, zeros, p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"], reverse: false);
        AssertClose(expected, after, 2e-6, "out after the write");
        Assert.NotEqual(before.ToArray<float>(), after.ToArray<float>());
    }

    [Fact]
    public void The_cells_tanh_is_within_4e_7_and_never_beyond_one()
    {
        if (!Lanes256.IsSupported) return;
        static float Tanh(float x) => LstmCell.Tanh<Lanes256, Vector256<float>>(Vector256.Create(x))[0];
        double worst = 0, worstAt = 0;
        for (double x = -30; x <= 30; x += 1e-4)
        {
            float xf = (float)x, y = Tanh(xf);
            double error = Math.Abs(y - Math.Tanh(xf));
            if (error > worst) (worst, worstAt) = (error, xf);
            Assert.True(Math.Abs(y) <= 1, $"tanh({xf:R}) = {y:R}");
            if (Lanes512.IsSupported) Assert.Equal(y, LstmCell.Tanh<Lanes512, Vector512<float>>(Vector512.Create(xf))[0]);
        }
        Assert.True(worst <= 4e-7, $"tanh is {worst:E3} off at {worstAt:R}");
        Assert.True(float.IsNaN(Tanh(float.NaN)));
        Assert.Equal(1f, Tanh(float.PositiveInfinity));
    }

    /// <summary>
    /// Units moved to other positions of the row run in other registers (zmm, ymm, the padded tail) and must still give
    /// the same bits: h and c may not depend on how many units a layer or a thread's part has.
    /// </summary>
    [Theory]
    [InlineData(37)]
    [InlineData(20)]
    [InlineData(128)]
    public void Every_unit_gets_the_same_bits_whatever_tile_register_and_thread_it_runs_in(int hidden)
    {
        // ymm tiles hold up to 3 units and zmm tiles 6, and one thread's part ends where two threads' parts split a block:
        // each arrangement puts units in other tiles, yet every lane's sums and cell round the same way.
        var (steps, batch, inputSize) = (3, 19, 10);
        Tensor[] inputs = [Tensor.Randn([steps, batch, inputSize], generator: new Generator(21)),
            Tensor.Randn([batch, hidden], generator: new Generator(22)), Tensor.Randn([batch, hidden], generator: new Generator(23)),
            Tensor.Randn([4 * hidden, inputSize], generator: new Generator(24)) * 0.3, Tensor.Randn([4 * hidden, hidden], generator: new Generator(25)) * 0.3,
            Tensor.Randn([4 * hidden], generator: new Generator(26)), Tensor.Randn([4 * hidden], generator: new Generator(27))];
        using var _ = Autograd.NoGrad();
        int threads = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 1;
            var reference = LstmLayerKernel.Run(inputs, reverse: false, LstmLanes.Ymm);
            Threading.NumThreads = 2;
            foreach (var lanes in Lanes512.IsSupported ? new[] { LstmLanes.Ymm, LstmLanes.Zmm } : [LstmLanes.Ymm])
            {
                var result = LstmLayerKernel.Run(inputs, reverse: false, lanes);
                for (int k = 0; k < 3; k++) Assert.Equal(reference[k].ToArray<float>(), result[k].ToArray<float>());
            }
        }
        finally
        {
            Threading.NumThreads = threads;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_scalar_path_matches_the_vector_one(bool reverse)
    {
        // float32 on a CPU without FMA (and float64 everywhere) runs one lane at a time with the exact activations.
        var x = Tensor.Randn([4, 5, 12], generator: new Generator(31));
        var h0 = Tensor.Randn([5, 20], generator: new Generator(32));
        var c0 = Tensor.Randn([5, 20], generator: new Generator(33));
        var wIh = Tensor.Randn([80, 12], generator: new Generator(34)) * 0.3;
        var wHh = Tensor.Randn([80, 20], generator: new Generator(35)) * 0.3;
        Tensor[] inputs = [x, h0, c0, wIh, wHh];
        using var _ = Autograd.NoGrad();
        var vector = LstmLayerKernel.Run(inputs, reverse, LstmLanes.Ymm);
        var scalar = LstmLayerKernel.Run(inputs, reverse, LstmLanes.Scalar);
        AssertClose(scalar[0], vector[0], 2e-6, "out");
        AssertClose(scalar[1], vector[1], 2e-6, "h_n");
        AssertClose(scalar[2], vector[2], 2e-6, "c_n");
    }

    [Fact]
    public void Only_one_bias_is_refused()
    {
        var (x, h, w, wh, b) = (Tensor.Zeros([2, 1, 3]), Tensor.Zeros([1, 2]), Tensor.Zeros([8, 3]), Tensor.Zeros([8, 2]), Tensor.Zeros([8]));
        var error = Assert.Throws<ArgumentException>(() => Functional.LstmLayer(x, h, h, w, wh, b));
        Assert.Contains("lstm_layer", error.Message, StringComparison.Ordinal);
        Assert.Contains("bias_hh", error.Message, StringComparison.Ordinal);
    }

    private static Tensor[] Gradients(Tensor output, Tensor cell, Tensor[] parameters)
    {
        foreach (var t in parameters) t.Grad = null;
        // Weighted so that every step's h and the final c matter.
        var weights = Tensor.Randn(output.Shape, generator: new Generator(13));
        ((output * weights).Sum() + cell.Sum()).Backward();
        return [.. parameters.Select(t => t.Grad!)];
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        var (e, a) = (expected.Detach().ToArray<float>(), actual.Detach().ToArray<float>());
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * (1 + Math.Abs(e[i])), $"{what}[{i}]: expected {e[i]}, got {a[i]}");
    }

    /// <summary>The LSTM written out: the projection for all steps, then <c>linear(h, W_hh, b_hh)</c> and the cell at each.</summary>
    private static (Tensor Output, Tensor H, Tensor C) StepByStep(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor? bIh, Tensor? bHh, bool reverse)
    {
        long steps = x.Shape[0], hidden = wHh.Shape[1];
        var projected = Functional.Linear(x, wIh, bIh);
        var outputs = new Tensor[steps];
        for (long k = 0; k < steps; k++)
        {
            long t = reverse ? steps - 1 - k : k;
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
