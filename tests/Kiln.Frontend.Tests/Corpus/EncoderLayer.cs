using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A transformer encoder layer (Kiln.NN.TransformerEncoderLayer, no dropout, batch first) and a mean over the sequence: x [N, 5, 16] → [N, 16].</summary>
[Script]
public sealed class EncoderLayer : Module
{
    private readonly TransformerEncoderLayer layer = new(16, 2, dimFeedforward: 32, dropout: 0, batchFirst: true);

    public Tensor Forward(Tensor x) => layer.Forward(x).Mean(1);
}
