using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>
/// A convolution, 2-d batch norm, ReLU and a linear classifier: x [N, 3, 6, 6] → [N, 5]. In training its forward pass
/// updates the batch norm's running statistics, which a graph must carry back into the module.
/// </summary>
[Script]
public sealed class ConvBnNet : Module
{
    private readonly Conv2d conv = new(3, 4, 3, padding: 1);
    private readonly BatchNorm2d bn = new(4);
    private readonly Linear fc = new(4 * 6 * 6, 5);

    public Tensor Forward(Tensor x)
    {
        var h = F.Relu(bn.Forward(conv.Forward(x)));
        return fc.Forward(h.Flatten(1));
    }
}
