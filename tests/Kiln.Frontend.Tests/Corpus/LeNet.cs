using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>LeNet-5: x [N, 1, 28, 28] → class scores [N, 10].</summary>
[Script]
public sealed class LeNet : Module
{
    private readonly Conv2d conv1 = new(1, 6, 5, padding: 2);
    private readonly Conv2d conv2 = new(6, 16, 5);
    private readonly Linear fc1 = new(16 * 5 * 5, 120);
    private readonly Linear fc2 = new(120, 84);
    private readonly Linear fc3 = new(84, 10);

    public Tensor Forward(Tensor x)
    {
        x = F.MaxPool2d(F.Relu(conv1.Forward(x)), 2);
        x = F.MaxPool2d(F.Relu(conv2.Forward(x)), 2);
        x = x.Flatten(1);
        x = F.Relu(fc1.Forward(x));
        x = F.Relu(fc2.Forward(x));
        return fc3.Forward(x);
    }
}
