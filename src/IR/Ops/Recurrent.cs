namespace Kiln.IR.Ops;

/// <summary>
/// Recurrent layers: <c>lstm_layer</c>, one direction of one LSTM layer over a whole sequence, as PyTorch's
/// <c>aten::lstm</c> runs each layer and direction. One op rather than the unrolled steps lets a backend run the
/// recurrence as one kernel (weights packed once, gates and cell fused) and keeps graphs of any sequence length small.
/// </summary>
public static class RecurrentOps
{
    private const string LstmLayerName = "lstm_layer";

    /// <summary>The dtypes of the recurrent ops.</summary>
    public static IReadOnlyList<DType> FloatDTypes { get; } = [DType.Float32, DType.Float64];

    /// <summary>
    /// One LSTM layer and direction: for input [L, N, I], states h0 and c0 [N, H], weight_ih [4H, I], weight_hh
    /// [4H, H] and optional biases [4H] (both or neither), each step computes the gates
    /// <c>x_t·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh</c> in PyTorch's order i, f, g, o, then <c>c' = σ(f)·c + σ(i)·tanh(g)</c>
    /// and <c>h' = σ(o)·tanh(c')</c>. Steps run from t = 0, or from t = L − 1 when <c>reverse</c> (the second
    /// direction of a bidirectional layer); out[t] is the h of step t either way. L must be at least 1 (as in torch). Results: out [L, N, H] and the
    /// final h and c.
    /// </summary>
    public static OpDef LstmLayer { get; } = new()
    {
        Name = LstmLayerName,
        Family = "recurrent",
        Inputs = ["input", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"],
        RequiredInputs = 5,
        Outputs = ["out", "h_n", "c_n"],
        Attributes = [new AttrDef("reverse", "bool", false)],
        DTypes = FloatDTypes,
        InferTypes = (inputs, _) =>
        {
            var (steps, batch, hidden) = LstmLayerSizes([.. inputs.Select(t => t.Shape)], [.. inputs.Select(t => t.DType)]);
            var dtype = inputs[0].DType;
            return [new TensorType(dtype, [steps, batch, hidden]), new TensorType(dtype, [batch, hidden]), new TensorType(dtype, [batch, hidden])];
        },
        Samples = RecurrentSamples.LstmLayer,
        Gradient = RecurrentGradients.LstmLayer,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [LstmLayer];

    /// <summary>
    /// Checks the inputs of <c>lstm_layer</c> (see <see cref="LstmLayer"/>) and returns the sequence length L, batch N
    /// and hidden size H. The eager kernel calls it too, so the messages exist once.
    /// </summary>
    /// <exception cref="ArgumentException">A count, rank, size or dtype does not fit; the message names the shapes.</exception>
    public static (long Steps, long Batch, long Hidden) LstmLayerSizes(IReadOnlyList<long[]> shapes, IReadOnlyList<DType> dtypes)
    {
        if (shapes.Count is not (5 or 7))
            throw new ArgumentException($"{LstmLayerName}: expected 5 inputs (input, h0, c0, weight_ih, weight_hh) or 7 (with bias_ih and bias_hh), got {shapes.Count}");
        string all = string.Join(", ", LstmLayer.Inputs.Take(shapes.Count).Select((name, k) => $"{name} {Shapes.Format(shapes[k])}"));
        TypeRules.CheckDType(LstmLayerName, dtypes[0], FloatDTypes);
        for (int k = 1; k < dtypes.Count; k++)
        {
            if (dtypes[k] != dtypes[0])
                throw new ArgumentException($"{LstmLayerName}: expected every input to have the input's dtype {dtypes[0].Name()}, but {LstmLayer.Inputs[k]} is {dtypes[k].Name()}");
        }
        var (x, h0, c0, wIh, wHh) = (shapes[0], shapes[1], shapes[2], shapes[3], shapes[4]);
        if (x.Length != 3 || h0.Length != 2 || c0.Length != 2 || wIh.Length != 2 || wHh.Length != 2)
            throw new ArgumentException($"{LstmLayerName}: expected a 3-d input [L, N, I], 2-d states [N, H] and 2-d weights, got {all}");
        long hidden = h0[1];
        bool fits = c0.AsSpan().SequenceEqual(h0) && h0[0] == x[1]
            && wIh[0] == 4 * hidden && wIh[1] == x[2] && wHh[0] == 4 * hidden && wHh[1] == hidden
            && (shapes.Count == 5 || (shapes[5].AsSpan().SequenceEqual([4 * hidden]) && shapes[6].AsSpan().SequenceEqual([4 * hidden])));
        if (!fits)
            throw new ArgumentException($"{LstmLayerName}: the sizes do not fit: with input [L, N, I] and states [N, H] the weights must be weight_ih [4H, I], weight_hh [4H, H] and the biases [4H]; got {all}");
        if (x[0] == 0)
            throw new ArgumentException($"{LstmLayerName}: expected a sequence length larger than 0 (as torch), got input {Shapes.Format(x)}");
        return (x[0], x[1], hidden);
    }
}
