using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>
/// Branches on the data: ReLU when the projected values sum to a positive number, negation otherwise, x [N, 8] → [N, 8].
/// Scripting turns the branch into an If node; tracing must refuse it (KILN0100) rather than freeze one side.
/// </summary>
[Script]
public sealed class DataDependentIf : Module
{
    private readonly Linear fc = new(8, 8);

    public Tensor Forward(Tensor x)
    {
        var h = fc.Forward(x);
        if ((h.Sum() > 0).Item<bool>())
        {
            return h.Relu();
        }
        return -h;
    }
}
