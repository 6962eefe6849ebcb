using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Cli.Demo;

/// <summary>
/// The demo's small CNN for 8×8 digits: two 3×3 conv + max-pool stages, then two linear layers. [Script]: the demo
/// compiles it with <c>Jit.Script</c> after training, saves it as a <c>.kiln</c> file and checks the loaded copy.
/// </summary>
[Script]
internal sealed class DigitsNet : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = new(1, 16, 3, padding: 1);
    private readonly Conv2d conv2 = new(16, 32, 3, padding: 1);
    private readonly Linear fc1 = new(32 * 2 * 2, 64);
    private readonly Linear fc2 = new(64, 10);
    private readonly Dropout dropout = new(0.2);

    /// <summary>Class scores (logits) [N, 10] for images [N, 1, 8, 8].</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = F.MaxPool2d(F.Relu(conv1.Forward(input)), 2);
        x = F.MaxPool2d(F.Relu(conv2.Forward(x)), 2);
        x = dropout.Forward(F.Relu(fc1.Forward(x.Flatten(1))));
        return fc2.Forward(x);
    }
}
