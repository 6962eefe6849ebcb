using Kiln.IR;

namespace Kiln;

/// <summary>
/// One recorded op call in the autograd graph (PyTorch's <c>grad_fn</c>): the op, its attributes, the
/// tensors its gradient rule may need, and where each input's gradient goes next.
/// </summary>
public sealed class GradNode
{
    internal GradNode(OpDef op, Attrs attrs, SavedTensor?[] inputs, SavedTensor[] outputs, GradEdge?[] edges)
    {
        Op = op;
        Attrs = attrs;
        Inputs = inputs;
        Outputs = outputs;
        Edges = edges;
    }

    internal OpDef Op { get; }

    internal Attrs Attrs { get; }

    internal SavedTensor?[] Inputs { get; private set; }

    internal SavedTensor[] Outputs { get; private set; }

    /// <summary>Per input: the node (or leaf) its gradient flows to; null where no gradient is needed.</summary>
    internal GradEdge?[] Edges { get; }

    /// <summary>Non-leaf results whose gradient the user asked to keep, by result index.</summary>
    internal Dictionary<int, Tensor>? RetainedOutputs { get; set; }

    /// <summary>Whether backward freed the saved tensors.</summary>
    internal bool IsReleased { get; private set; }

    /// <summary>The name of the backward function, like PyTorch's (<c>MulBackward</c>).</summary>
    public string Name => string.Concat(Op.Name.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..])) + "Backward";

    /// <summary>The nodes that this node's gradients flow to (null for inputs that need none or are leaves).</summary>
    public IReadOnlyList<GradNode?> NextFunctions => Edges.Select(e => e?.Node).ToArray();

    /// <summary>Frees the saved tensors after a backward pass that does not retain the graph.</summary>
    internal void Release()
    {
        Inputs = [];
        Outputs = [];
        IsReleased = true;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Where one input's gradient goes: into another node's result, or into a leaf tensor.</summary>
/// <param name="Node">The node that computed the input (null for a leaf).</param>
/// <param name="OutputIndex">Which of <paramref name="Node"/>'s results the input is.</param>
/// <param name="Leaf">The leaf tensor whose gradient accumulates (null for a non-leaf).</param>
internal sealed record GradEdge(GradNode? Node, int OutputIndex, Tensor? Leaf);

/// <summary>A tensor saved for backward with the version it had, so later in-place writes are detected.</summary>
internal sealed class SavedTensor(Tensor tensor, string op, int index, bool isOutput)
{
    private readonly int version = tensor.storage.Version;

    /// <summary>The tensor, after checking that nothing wrote to it since it was saved.</summary>
    /// <exception cref="InvalidOperationException">The tensor was modified in place after it was saved.</exception>
    internal Tensor Get()
    {
        if (tensor.storage.Version != version)
            throw new InvalidOperationException(
                $"autograd: {(isOutput ? "result" : "input")} {index} of {op} (a tensor of shape {Shapes.Format(tensor.shape)}), which its gradient needs, " +
                $"was modified by an in-place operation after {op} ran (version {tensor.storage.Version}, expected {version}); " +
                "use the out-of-place op or Clone() the tensor before modifying it");
        return tensor;
    }

    internal long[] Shape => tensor.shape;

    internal DType DType => tensor.DType;
}
