using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>Multi-head self-attention (Kiln.NN.MultiheadAttention, batch first): x [N, 5, 16] → same shape.</summary>
[Script]
public sealed class SelfAttention : Module
{
    private readonly MultiheadAttention attention = new(16, 4, batchFirst: true);

    public Tensor Forward(Tensor x)
    {
        var (output, _) = attention.Forward(x, x, x, needWeights: false);
        return output;
    }
}
