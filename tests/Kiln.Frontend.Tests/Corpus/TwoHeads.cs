using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A shared trunk with two heads, returned as a tuple: x [N, 8] → (scores [N, 3], value [N, 1]).</summary>
[Script]
public sealed class TwoHeads : Module
{
    private readonly Linear trunk = new(8, 12);
    private readonly Linear policy = new(12, 3);
    private readonly Linear value = new(12, 1);

    public (Tensor Scores, Tensor Value) Forward(Tensor x)
    {
        var h = F.Gelu(trunk.Forward(x));
        return (F.LogSoftmax(policy.Forward(h), 1), value.Forward(h).Tanh());
    }
}
