using System.Globalization;

namespace Kiln.NN;

/// <summary>
/// What RNN, LSTM and GRU share (<c>torch.nn.RNNBase</c>): stacked layers, optional second direction, dropout
/// between layers, batch-first or sequence-first inputs, unbatched inputs, and PyTorch's parameter names
/// (<c>weight_ih_l0</c>, <c>bias_hh_l1_reverse</c> ...) with U(-1/√hidden, 1/√hidden) initialisation.
/// </summary>
public abstract class RecurrentBase : Module
{
    private readonly string layer;
    private readonly Parameter[][] weights;

    private protected RecurrentBase(string layer, int gates, long inputSize, long hiddenSize, long numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional, DType dtype)
    {
        LayerChecks.Positive(layer, ("inputSize", inputSize), ("hiddenSize", hiddenSize), ("numLayers", numLayers));
        if (dropout is < 0 or > 1 || double.IsNaN(dropout))
            throw new ArgumentException($"{layer}: dropout must be between 0 and 1, got {dropout}");
        this.layer = layer;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        BatchFirst = batchFirst;
        DropoutP = dropout;
        Bidirectional = bidirectional;
        HasBias = bias;
        int directions = bidirectional ? 2 : 1;
        weights = new Parameter[numLayers * directions][];
        double bound = 1 / Math.Sqrt(hiddenSize);
        for (int l = 0; l < numLayers; l++)
        {
            for (int d = 0; d < directions; d++)
            {
                long inSize = l == 0 ? inputSize : hiddenSize * directions;
                string suffix = "_l" + l.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : "");
                var set = new List<Parameter>
                {
                    NewWeight("weight_ih" + suffix, [gates * hiddenSize, inSize]),
                    NewWeight("weight_hh" + suffix, [gates * hiddenSize, hiddenSize]),
                };
                if (bias)
                {
                    set.Add(NewWeight("bias_ih" + suffix, [gates * hiddenSize]));
                    set.Add(NewWeight("bias_hh" + suffix, [gates * hiddenSize]));
                }
                weights[l * directions + d] = [.. set];
            }
        }

        Parameter NewWeight(string name, long[] shape)
        {
            var p = LayerChecks.NewParameter(layer, shape, dtype);
            Init.Uniform_(p, -bound, bound);
            RegisterParameter(name, p);
            return p;
        }
    }

    /// <summary>The number of input features.</summary>
    public long InputSize { get; }

    /// <summary>The number of features of the hidden state.</summary>
    public long HiddenSize { get; }

    /// <summary>The number of stacked layers.</summary>
    public long NumLayers { get; }

    /// <summary>Whether inputs and outputs are (batch, seq, feature) rather than (seq, batch, feature).</summary>
    public bool BatchFirst { get; }

    /// <summary>The dropout probability applied to each layer's output but the last, in training.</summary>
    public double DropoutP { get; }

    /// <summary>Whether a second set of layers runs over the sequence backwards.</summary>
    public bool Bidirectional { get; }

    /// <summary>Whether the layers have biases.</summary>
    public bool HasBias { get; }

    private int Directions => Bidirectional ? 2 : 1;

    /// <summary>
    /// Runs every layer and direction. <paramref name="states"/> holds one [layers·directions, N, H] tensor per
    /// recurrent state (h; h and c for LSTM), or null for zeros. Returns the last layer's outputs and the final states.
    /// </summary>
    private protected (Tensor Output, Tensor[] Final) Run(Tensor input, Tensor?[] states)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool unbatched = input.Dim == 2;
        if (input.Dim is not (2 or 3))
            throw new ArgumentException($"{layer}: expected a 2-d (unbatched) or 3-d input, got shape {Shapes.Format(input.shape)}");
        if (input.shape[^1] != InputSize)
            throw new ArgumentException($"{layer}: expected input with {InputSize} features in its last dim, got shape {Shapes.Format(input.shape)}");
        var x = unbatched ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input;
        long batch = x.shape[1];
        var initial = new Tensor[states.Length];
        for (int s = 0; s < states.Length; s++)
            initial[s] = InitialState(states[s], unbatched, batch, input.DType);
        var finals = new Tensor[states.Length][];
        for (int s = 0; s < states.Length; s++) finals[s] = new Tensor[NumLayers * Directions];
        for (int l = 0; l < NumLayers; l++)
        {
            var outputs = new Tensor[Directions];
            for (int d = 0; d < Directions; d++)
            {
                int index = (int)(l * Directions + d);
                var w = weights[index];
                var start = initial.Select(t => t.Select(0, index)).ToArray();
                var (output, last) = RunDirection(x, w[0], w[1], HasBias ? w[2] : null, HasBias ? w[3] : null, start, reverse: d == 1);
                outputs[d] = output;
                for (int s = 0; s < states.Length; s++) finals[s][index] = last[s];
            }
            x = Directions == 1 ? outputs[0] : Tensor.Cat(outputs, -1);
            if (l < NumLayers - 1 && DropoutP > 0 && Training) x = Functional.Dropout(x, DropoutP, training: true);
        }
        var result = unbatched ? x.Squeeze(1) : BatchFirst ? x.Transpose(0, 1) : x;
        var final = finals.Select(f => unbatched ? Tensor.Stack(f).Squeeze(1) : Tensor.Stack(f)).ToArray();
        return (result, final);
    }

    private Tensor InitialState(Tensor? given, bool unbatched, long batch, DType dtype)
    {
        long[] expected = unbatched ? [NumLayers * Directions, HiddenSize] : [NumLayers * Directions, batch, HiddenSize];
        if (given is null) return Tensor.Zeros([NumLayers * Directions, batch, HiddenSize], dtype);
        if (!given.shape.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{layer}: expected an initial state of shape {Shapes.Format(expected)}, got {Shapes.Format(given.shape)}");
        return unbatched ? given.Unsqueeze(1) : given;
    }

    /// <summary>
    /// One direction of one layer over x [L, N, I]: the input projection for all steps at once (one [L·N, I] product),
    /// then the recurrence, whose per-step product multiplies by a row-major copy of W_hhᵀ made once.
    /// </summary>
    private (Tensor Output, Tensor[] Last) RunDirection(Tensor x, Tensor wIh, Tensor wHh, Tensor? bIh, Tensor? bHh, Tensor[] state, bool reverse)
    {
        long steps = x.shape[0];
        if (Kind == RecurrentCellKind.Lstm && steps > 0 && x.DType is DType.Float32 or DType.Float64)
        {
            var (output, hn, cn) = Functional.LstmLayer(x, state[0], state[1], wIh, wHh, bIh, bHh, reverse);
            return (output, [hn, cn]);
        }
        Tensor[] weightSet = bIh is null || bHh is null ? [wIh, wHh] : [wIh, wHh, bIh, bHh];
        if (steps > 0 && RecurrentFastPath.Applies(x, weightSet, state))
            return RecurrentFastPath.Run(Kind, HiddenSize, x, wIh, wHh, bIh, bHh, state, reverse);
        var projected = Functional.Linear(x, wIh, bIh);
        // W_hhᵀ laid out row-major once, so each step's small product reads it in place instead of packing the
        // transposed W_hh again (a traced graph records this copy once, before the steps). h·W_hhᵀ + b_hh rounds
        // as linear's bias-then-accumulate does, so the results are bitwise the same. One batch row is a
        // matrix-vector product, which streams W_hh as it is: the copy would only change its summation order.
        var wHhT = steps > 1 && x.shape[1] > 1 ? wHh.T.Contiguous() : wHh.T;
        var outputs = new Tensor[steps];
        for (long i = 0; i < steps; i++)
        {
            long t = reverse ? steps - 1 - i : i;
            var product = state[0].Matmul(wHhT);
            var hidden = bHh is null ? product : product + bHh;
            state = Cell(projected.Select(0, t), hidden, state);
            outputs[t] = state[0];
        }
        return (steps == 0 ? Tensor.Zeros([0, x.shape[1], HiddenSize], x.DType) : Tensor.Stack(outputs), state);
    }

    /// <summary>Which recurrence this is, for the gradient-free fast path.</summary>
    private protected abstract RecurrentCellKind Kind { get; }

    /// <summary>One step: the new states from the projected input and projected hidden state (each [N, gates·H]).</summary>
    private protected abstract Tensor[] Cell(Tensor inputGates, Tensor hiddenGates, Tensor[] state);

    /// <summary>Gate <paramref name="k"/> of a [N, gates·H] tensor.</summary>
    private protected Tensor Gate(Tensor gatesTensor, int k) => gatesTensor.Narrow(-1, k * HiddenSize, HiddenSize);

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        var s = $"{InputSize}, {HiddenSize}";
        if (NumLayers != 1) s += $", num_layers={NumLayers}";
        if (!HasBias) s += ", bias=False";
        if (BatchFirst) s += ", batch_first=True";
        if (DropoutP != 0) s += $", dropout={LayerChecks.Py(DropoutP)}";
        if (Bidirectional) s += ", bidirectional=True";
        return s;
    }
}

/// <summary>An Elman RNN with tanh or ReLU (<c>torch.nn.RNN</c>): <c>h' = act(W_ih·x + b_ih + W_hh·h + b_hh)</c>.</summary>
public sealed class RNN : RecurrentBase
{
    private readonly bool relu;

    /// <summary>A stacked RNN.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the nonlinearity is not "tanh" or "relu", or dropout is outside [0, 1].</exception>
    public RNN(long inputSize, long hiddenSize, long numLayers = 1, string nonlinearity = "tanh", bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32)
        : base("RNN", 1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype)
    {
        if (nonlinearity is not ("tanh" or "relu"))
            throw new ArgumentException($"RNN: nonlinearity must be 'tanh' or 'relu', got '{nonlinearity}'");
        relu = nonlinearity == "relu";
    }

    /// <summary>The outputs of the last layer for every step, and the final hidden state of every layer and direction.</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? h0 = null)
    {
        var (output, final) = Run(input, [h0]);
        return (output, final[0]);
    }

    private protected override RecurrentCellKind Kind => relu ? RecurrentCellKind.RnnRelu : RecurrentCellKind.RnnTanh;

    private protected override Tensor[] Cell(Tensor inputGates, Tensor hiddenGates, Tensor[] state)
    {
        var pre = inputGates + hiddenGates;
        return [relu ? pre.Relu() : pre.Tanh()];
    }
}

/// <summary>A long short-term memory network (<c>torch.nn.LSTM</c>), gates in PyTorch's order i, f, g, o.</summary>
public sealed class LSTM(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false,
    double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32)
    : RecurrentBase("LSTM", 4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype)
{
    /// <summary>The outputs of the last layer for every step, and the final hidden and cell states of every layer and direction.</summary>
    public (Tensor Output, (Tensor HN, Tensor CN) State) Forward(Tensor input, (Tensor H0, Tensor C0)? state = null)
    {
        var (output, final) = Run(input, [state?.H0, state?.C0]);
        return (output, (final[0], final[1]));
    }

    private protected override RecurrentCellKind Kind => RecurrentCellKind.Lstm;

    private protected override Tensor[] Cell(Tensor inputGates, Tensor hiddenGates, Tensor[] state)
    {
        var g = inputGates + hiddenGates;
        var i = Gate(g, 0).Sigmoid();
        var f = Gate(g, 1).Sigmoid();
        var c = f * state[1] + i * Gate(g, 2).Tanh();
        var h = Gate(g, 3).Sigmoid() * c.Tanh();
        return [h, c];
    }
}

/// <summary>A gated recurrent unit network (<c>torch.nn.GRU</c>), gates in PyTorch's order r, z, n.</summary>
public sealed class GRU(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false,
    double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32)
    : RecurrentBase("GRU", 3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype)
{
    /// <summary>The outputs of the last layer for every step, and the final hidden state of every layer and direction.</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? h0 = null)
    {
        var (output, final) = Run(input, [h0]);
        return (output, final[0]);
    }

    private protected override RecurrentCellKind Kind => RecurrentCellKind.Gru;

    private protected override Tensor[] Cell(Tensor inputGates, Tensor hiddenGates, Tensor[] state)
    {
        var r = (Gate(inputGates, 0) + Gate(hiddenGates, 0)).Sigmoid();
        var z = (Gate(inputGates, 1) + Gate(hiddenGates, 1)).Sigmoid();
        var n = (Gate(inputGates, 2) + r * Gate(hiddenGates, 2)).Tanh();
        return [n + z * (state[0] - n)];
    }
}
