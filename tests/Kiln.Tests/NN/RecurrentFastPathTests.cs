using Kiln.NN;

namespace Kiln.Tests.NN;

/// <summary>
/// RNN, LSTM and GRU without gradients take a fused path; it must give what the recorded (autograd) path gives,
/// for every layout the reference cases cover: bidirectional, stacked, batch-first, unbatched, initial states.
/// </summary>
public sealed class RecurrentFastPathTests
{
    /// <summary>A layer for a dtype, its input shape, and its call returning (output, final states...) given the input and initial states.</summary>
    private sealed record Case(Func<DType, Module> Make, long[] InputShape, long[][] StateShapes, Func<Module, Tensor, Tensor[], Tensor[]> Call);

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        ["rnn_tanh"] = new(d => new RNN(3, 4, dtype: d), [5, 2, 3], [], (m, x, s) => Pair(((RNN)m).Forward(x))),
        ["rnn_relu_2layer_batch_first_h0"] = new(d => new RNN(3, 4, numLayers: 2, nonlinearity: "relu", batchFirst: true, dtype: d),
            [2, 5, 3], [[2, 2, 4]], (m, x, s) => Pair(((RNN)m).Forward(x, s[0]))),
        ["lstm"] = new(d => new LSTM(3, 4, dtype: d), [5, 2, 3], [], (m, x, s) => Triple(((LSTM)m).Forward(x))),
        ["lstm_2layer_bidirectional_states"] = new(d => new LSTM(3, 4, numLayers: 2, bidirectional: true, dtype: d),
            [5, 2, 3], [[4, 2, 4], [4, 2, 4]], (m, x, s) => Triple(((LSTM)m).Forward(x, (s[0], s[1])))),
        ["lstm_unbatched_batch_first_nobias"] = new(d => new LSTM(3, 2, bias: false, batchFirst: true, dtype: d),
            [5, 3], [], (m, x, s) => Triple(((LSTM)m).Forward(x))),
        ["lstm_unbatched_states"] = new(d => new LSTM(3, 4, dtype: d), [5, 3], [[1, 4], [1, 4]],
            (m, x, s) => Triple(((LSTM)m).Forward(x, (s[0], s[1])))),
        ["lstm_bench_shape"] = new(d => new LSTM(64, 128, dtype: d), [32, 16, 64], [], (m, x, s) => Triple(((LSTM)m).Forward(x))),
        ["gru"] = new(d => new GRU(3, 4, dtype: d), [5, 2, 3], [], (m, x, s) => Pair(((GRU)m).Forward(x))),
        ["gru_bidirectional_batch_first_h0"] = new(d => new GRU(3, 4, bidirectional: true, batchFirst: true, dtype: d),
            [2, 5, 3], [[2, 2, 4]], (m, x, s) => Pair(((GRU)m).Forward(x, s[0]))),
        ["gru_2layer_nobias"] = new(d => new GRU(3, 5, numLayers: 2, bias: false, dtype: d), [4, 3, 3], [], (m, x, s) => Pair(((GRU)m).Forward(x))),
    };

    /// <summary>Every case in float64 and float32.</summary>
    public static TheoryData<string, DType> CaseNames()
    {
        var data = new TheoryData<string, DType>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name, DType.Float64);
            data.Add(name, DType.Float32);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void NoGradMatchesRecordedPath(string name, DType dtype)
    {
        var (module, x, states) = Build(name, dtype);
        var recorded = Cases[name].Call(module, x, states);
        Assert.True(recorded[0].RequiresGrad, "the reference run should record gradients");
        var before = states.Select(Values).ToArray();
        Tensor[] fast;
        using (Autograd.NoGrad()) fast = Cases[name].Call(module, x, states);
        AssertClose(recorded, fast, dtype);
        for (int s = 0; s < states.Length; s++)
            Assert.Equal(before[s], Values(states[s]));
    }

    [Theory]
    [InlineData("lstm_2layer_bidirectional_states")]
    [InlineData("gru_bidirectional_batch_first_h0")]
    [InlineData("rnn_relu_2layer_batch_first_h0")]
    public void GradEnabledWithoutRequiresGradMatchesRecordedPath(string name)
    {
        var (module, x, states) = Build(name, DType.Float64);
        var recorded = Cases[name].Call(module, x, states);
        foreach (var p in module.Parameters()) p.RequiresGrad = false;
        var fast = Cases[name].Call(module, x, states);
        Assert.False(fast[0].RequiresGrad);
        AssertClose(recorded, fast, DType.Float64);
    }

    private static (Module Module, Tensor X, Tensor[] States) Build(string name, DType dtype)
    {
        var c = Cases[name];
        var module = c.Make(dtype);
        var x = Tensor.Randn(c.InputShape, dtype);
        var states = c.StateShapes.Select(s => Tensor.Randn(s, dtype)).ToArray();
        return (module, x, states);
    }

    private static void AssertClose(Tensor[] expected, Tensor[] actual, DType dtype)
    {
        double tolerance = dtype == DType.Float64 ? 1e-12 : 1e-6;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            var e = Values(expected[i].Detach());
            var a = Values(actual[i]);
            for (int j = 0; j < e.Length; j++)
                Assert.True(Math.Abs(e[j] - a[j]) <= tolerance, $"output {i}, element {j}: recorded {e[j]}, no-grad {a[j]}");
        }
    }

    private static double[] Values(Tensor t) => t.To(DType.Float64).ToArray<double>();

    private static Tensor[] Pair((Tensor Output, Tensor H) r) => [r.Output, r.H];

    private static Tensor[] Triple((Tensor Output, (Tensor H, Tensor C) State) r) => [r.Output, r.State.H, r.State.C];
}
