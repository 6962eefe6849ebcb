using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A GRU from Kiln.NN and a linear head on its final hidden state: x [T, N, 6] → [N, 3].</summary>
[Script]
public sealed class GruEncoder : Module
{
    private readonly GRU gru = new(6, 8);
    private readonly Linear head = new(8, 3);

    public Tensor Forward(Tensor x)
    {
        var (_, hn) = gru.Forward(x);
        return head.Forward(hn[0]);
    }
}
