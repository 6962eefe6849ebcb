using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>
/// An LSTM written out with an explicit time loop over the cell's math: x [T, N, 6] (time first) → the last
/// hidden state [N, 8].
/// </summary>
[Script]
public sealed class LstmLoop : Module
{
    private readonly long hiddenSize = 8;
    private readonly Linear inputGates;
    private readonly Linear hiddenGates;

    public LstmLoop()
    {
        inputGates = new Linear(6, 4 * hiddenSize);
        hiddenGates = new Linear(hiddenSize, 4 * hiddenSize);
    }

    public Tensor Forward(Tensor x)
    {
        var h = Tensor.Zeros(x.Shape[1], hiddenSize);
        var c = Tensor.Zeros(x.Shape[1], hiddenSize);
        for (int t = 0; t < x.Shape[0]; t++)
        {
            var gates = inputGates.Forward(x[t]) + hiddenGates.Forward(h);
            var chunks = gates.Chunk(4, 1);
            var i = chunks[0].Sigmoid();
            var f = chunks[1].Sigmoid();
            var g = chunks[2].Tanh();
            var o = chunks[3].Sigmoid();
            c = f * c + i * g;
            h = o * c.Tanh();
        }
        return h;
    }
}
