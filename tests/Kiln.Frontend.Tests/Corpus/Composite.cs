using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>A user submodule: a gated linear unit with a residual connection, [N, D] → [N, D].</summary>
[Script]
public sealed class GatedBlock : Module
{
    private readonly Linear proj;
    private readonly Linear gate;

    public GatedBlock(long width)
    {
        proj = new Linear(width, width);
        gate = new Linear(width, width);
    }

    public Tensor Forward(Tensor x) => x + Gated(x);

    private Tensor Gated(Tensor x) => proj.Forward(x) * gate.Forward(x).Sigmoid();
}

/// <summary>
/// Nested user submodules (two <see cref="GatedBlock"/>s inside a <see cref="Composite"/>) and helper methods, instance
/// and static: x [N, 8] → [N, 2].
/// </summary>
[Script]
public sealed class Composite : Module
{
    private readonly double scale = 0.5;
    private readonly Linear embed = new(8, 10);
    private readonly GatedBlock first = new(10);
    private readonly GatedBlock second = new(10);
    private readonly Linear output = new(10, 2);

    public Tensor Forward(Tensor x)
    {
        var h = Embed(x);
        h = second.Forward(first.Forward(h));
        return output.Forward(Normalize(h, scale));
    }

    private Tensor Embed(Tensor x) => F.Silu(embed.Forward(x));

    private static Tensor Normalize(Tensor h, double scale)
    {
        var centered = h - h.Mean(1, keepdim: true);
        return centered * scale;
    }
}
