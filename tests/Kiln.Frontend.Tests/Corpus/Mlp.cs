using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A two-layer perceptron: x [N, 8] → [N, 4].</summary>
[Script]
public sealed class Mlp : Module
{
    private readonly Linear fc1 = new(8, 16);
    private readonly Linear fc2 = new(16, 4);

    public Tensor Forward(Tensor x)
    {
        var h = F.Relu(fc1.Forward(x));
        return fc2.Forward(h);
    }
}
