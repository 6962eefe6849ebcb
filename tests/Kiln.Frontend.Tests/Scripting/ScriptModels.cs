using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>A loop whose condition reads tensor data: halves x until its largest magnitude is at most 1 (a Loop node).</summary>
[Script]
public sealed class HalveUntilSmall : Module
{
    public Tensor Forward(Tensor x)
    {
        var steps = x.Sum() * 0;
        while (x.Abs().Max().Item<float>() > 1.0f)
        {
            x = x * 0.5;
            steps = steps + 1;
        }
        return x + steps;
    }
}

/// <summary>
/// Script-time control flow and values: an unrolled loop over a ModuleList with continue and break, fields and the
/// training flag in conditions, shape arithmetic, a List of tensors, tuples and deconstruction, optional and named
/// arguments, static and instance helpers, a computed property, foreach over a list, and a ?: on tensor data (an If node): x [N, 4] → [N, 4].
/// </summary>
[Script]
public sealed class ControlFlowMix : Module
{
    private readonly ModuleList<Linear> layers = new(new Linear(4, 4), new Linear(4, 4), new Linear(4, 4), new Linear(4, 4));
    private readonly int skip = 1;
    private readonly bool residual = true;

    public Tensor Forward(Tensor x)
    {
        var steps = new List<Tensor>();
        for (int i = 0; i < layers.Count; i++)
        {
            if (i == skip) continue;
            if (i == 3) break;
            var h = layers[i].Forward(x);
            x = residual ? x + h : h;
            steps.Add(x);
        }
        var (a, b) = Split(x);
        var picked = (a.Sum() > b.Sum()).Item<bool>() ? a : b;
        long half = x.Shape[1] / 2;
        var both = Tensor.Cat([Scale(picked, factor: 2.0), Evaluate(b)], dim: 1);
        var total = Tensor.Stack(steps).Sum(0) + FirstBias;
        foreach (var step in steps) total = total - step * 0.5;
        return both.Reshape(x.Size(0), half * 2) + total;
    }

    // A property computed from a parameter: lowered from its source, so the gradient reaches the bias.
    private Tensor FirstBias => layers[0].Bias! * 0.5;

    private static (Tensor Left, Tensor Right) Split(Tensor x) => (x[.., ..2], x[.., 2..]);

    private static Tensor Scale(Tensor t, double shift = 0.0, double factor = 1.0) => t * factor + shift;

    private Tensor Evaluate(Tensor t) => Training ? F.Dropout(t, 0.0, Training) : t.Neg();
}

/// <summary>A binary tree of user modules (recursion over submodule structure): x [N, 4] → [N, 4].</summary>
[Script]
public sealed class TreeNode : Module
{
    private readonly Linear proj = new(4, 4);
    private readonly TreeNode? left;
    private readonly TreeNode? right;

    public TreeNode() : this(2)
    {
    }

    public TreeNode(int depth)
    {
        if (depth > 0)
        {
            left = new TreeNode(depth - 1);
            right = new TreeNode(depth - 1);
        }
    }

    public Tensor Forward(Tensor x)
    {
        var h = proj.Forward(x).Tanh();
        if (left is null || right is null) return h;
        return left.Forward(h) + right.Forward(h);
    }
}

/// <summary>A Sequential holding a user module between built-in layers: x [N, 4] → [N, 3].</summary>
[Script]
public sealed class SequentialWithUserLayer : Module
{
    private readonly Sequential body = new(new Linear(4, 6), new Doubler(), new ReLU(), new Linear(6, 3));

    public Tensor Forward(Tensor x) => body.Forward(x);
}

/// <summary>A user layer usable inside a Sequential.</summary>
[Script]
public sealed class Doubler : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input + input;
}

/// <summary>A loop that unrolls past the frontend's limit.</summary>
[Script]
public sealed class EndlessUnroll : Module
{
    public Tensor Forward(Tensor x)
    {
        for (int i = 0; i < 20000; i++) x = x + 1;
        return x;
    }
}

/// <summary>A model whose reshape needs the batch size as a C# value (so it cannot be scripted with a symbolic batch).</summary>
[Script]
public sealed class BatchReshape : Module
{
    public Tensor Forward(Tensor x) => x.Reshape(x.Shape[0], 2, -1).Sum(1);
}

/// <summary>A lambda the build-time analyzer is told to ignore here, so the Jit.Script-time check must report it.</summary>
[Script]
public sealed class HiddenLambda : Module
{
    public Tensor Forward(Tensor x)
    {
#pragma warning disable KILN0004, KILN0013
        Func<Tensor, Tensor> twice = t => t * 2;
        return twice(x);
#pragma warning restore KILN0004, KILN0013
    }
}

/// <summary>A module without [Script]: the source generator captures nothing for it.</summary>
public sealed class NotScripted : Module
{
    public Tensor Forward(Tensor x) => x + 1;
}

/// <summary>Noise drawn without a tensor input: a graph would freeze one draw, so scripting refuses it.</summary>
[Script]
public sealed class FrozenNoise : Module
{
    public Tensor Forward(Tensor x) => x + Tensor.Randn(x.Shape);
}

/// <summary>Dropout, whose mask a scripted graph draws anew on each run: x → x with half its elements zeroed and the rest doubled.</summary>
[Script]
public sealed class HalfDropout : Module
{
    public Tensor Forward(Tensor x) => Functional.Dropout(x, 0.5, Training);
}
