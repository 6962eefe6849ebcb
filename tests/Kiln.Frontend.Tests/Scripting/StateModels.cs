using Kiln.NN;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>One batch norm applied twice in a forward pass, so the second call reads the statistics the first wrote: x [N, 8] → [N, 8].</summary>
[Script]
public sealed class NormTwice : Module
{
    private readonly BatchNorm1d bn = new(8);

    public Tensor Forward(Tensor x) => bn.Forward(bn.Forward(x) * 2);
}

/// <summary>A batch norm inside a branch on tensor data: its state update cannot leave the branch in training, x [N, 8] → [N, 8].</summary>
[Script]
public sealed class NormsWhenPositive : Module
{
    private readonly BatchNorm1d bn = new(8);

    public Tensor Forward(Tensor x)
    {
        var h = x;
        if ((x.Sum() > 0).Item<bool>())
        {
            h = bn.Forward(x);
        }
        return h;
    }
}

/// <summary>A batch norm with a cumulative average (no momentum): each training call reads its batch count into C#.</summary>
[Script]
public sealed class CumulativeNorm : Module
{
    private readonly BatchNorm1d bn = new(8, momentum: null);

    public Tensor Forward(Tensor x) => bn.Forward(x);
}
