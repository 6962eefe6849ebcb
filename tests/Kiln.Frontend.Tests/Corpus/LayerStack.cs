using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A stack of linear layers held in a ModuleList, each followed by tanh: x [N, 8] → [N, 8].</summary>
[Script]
public sealed class LayerStack : Module
{
    private readonly ModuleList<Linear> layers = new(new Linear(8, 8), new Linear(8, 8), new Linear(8, 8));

    public Tensor Forward(Tensor x)
    {
        foreach (var layer in layers)
        {
            x = layer.Forward(x).Tanh();
        }
        return x;
    }
}
