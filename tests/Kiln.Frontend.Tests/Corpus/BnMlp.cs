using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A two-layer perceptron with 1-d batch norm on its hidden layer: x [N, 8] → [N, 4] (training updates the running statistics).</summary>
[Script]
public sealed class BnMlp : Module
{
    private readonly Linear fc1 = new(8, 16);
    private readonly BatchNorm1d bn = new(16);
    private readonly Linear fc2 = new(16, 4);

    public Tensor Forward(Tensor x) => fc2.Forward(F.Relu(bn.Forward(fc1.Forward(x))));
}
