using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A ResNet basic block: two 3×3 convolutions with batch norm and a skip connection, x [N, 4, 8, 8] → same shape.</summary>
[Script]
public sealed class ResidualBlock : Module
{
    private readonly Conv2d conv1 = new(4, 4, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = new(4);
    private readonly Conv2d conv2 = new(4, 4, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn2 = new(4);

    public Tensor Forward(Tensor x)
    {
        var identity = x;
        var h = F.Relu(bn1.Forward(conv1.Forward(x)));
        h = bn2.Forward(conv2.Forward(h));
        return F.Relu(h + identity);
    }
}
