namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// One direction of one LSTM layer over a whole sequence (the registry op <c>lstm_layer</c>; what
    /// <see cref="LSTM"/> runs per layer and direction). For input [L, N, I] (L ≥ 1), states
    /// <paramref name="h0"/> and <paramref name="c0"/> [N, H], weights [4H, I] and [4H, H] with PyTorch's gate order
    /// i, f, g, o, and optional biases [4H] (both or neither), returns every step's h [L, N, H] and the final h and c.
    /// With <paramref name="reverse"/> the steps run from the last to the first, and out[t] is still the h of step t.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes or dtypes do not fit (float32 or float64, one dtype), only one bias is given, or L is 0.</exception>
    public static (Tensor Output, Tensor HN, Tensor CN) LstmLayer(Tensor input, Tensor h0, Tensor c0, Tensor weightIh, Tensor weightHh,
        Tensor? biasIh = null, Tensor? biasHh = null, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(h0);
        ArgumentNullException.ThrowIfNull(c0);
        ArgumentNullException.ThrowIfNull(weightIh);
        ArgumentNullException.ThrowIfNull(weightHh);
        if ((biasIh is null) != (biasHh is null))
            throw new ArgumentException("lstm_layer: expected both biases (bias_ih and bias_hh) or neither, got only " + (biasIh is null ? "bias_hh" : "bias_ih"));
        Tensor?[] inputs = biasIh is null ? [input, h0, c0, weightIh, weightHh] : [input, h0, c0, weightIh, weightHh, biasIh, biasHh];
        var results = OpDispatch.Call("lstm_layer", inputs, new IR.Attrs { { "reverse", reverse } });
        return (results[0], results[1], results[2]);
    }
}
