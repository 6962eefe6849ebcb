namespace Kiln;

/// <summary>The tensors <c>Autograd.Grad</c> asks about, and the gradients captured for them.</summary>
internal sealed class CaptureTargets
{
    private readonly IReadOnlyList<Tensor> inputs;
    private readonly Tensor?[] results;
    private readonly Dictionary<Tensor, int> leaves = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(GradNode, int), int> nodeOutputs = [];

    internal CaptureTargets(IReadOnlyList<Tensor> inputs)
    {
        this.inputs = inputs;
        results = new Tensor?[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            var t = inputs[i];
            if (!t.RequiresGrad)
                throw new InvalidOperationException($"Autograd.Grad: input {i} (shape {Shapes.Format(t.shape)}) does not require grad");
            if (t.GradFn is { } node) nodeOutputs[(node, t.autograd!.OutputIndex)] = i;
            else leaves[t] = i;
        }
    }

    internal bool IsTarget(Tensor leaf) => leaves.ContainsKey(leaf);

    internal void CaptureLeaf(Tensor leaf, Tensor grad)
    {
        if (leaves.TryGetValue(leaf, out int i)) Add(i, grad);
    }

    internal void CaptureNodeOutputs(GradNode node, Tensor?[] grads)
    {
        for (int k = 0; k < grads.Length; k++)
        {
            if (grads[k] is { } g && nodeOutputs.TryGetValue((node, k), out int i)) Add(i, g);
        }
    }

    private void Add(int i, Tensor grad) => results[i] = results[i] is { } existing ? existing.Add(grad) : grad;

    /// <summary>The nodes whose rules must run: those from which a target can be reached.</summary>
    internal HashSet<GradNode> NeededNodes(List<GradNode> topologicalOrder)
    {
        var needed = new HashSet<GradNode>(ReferenceEqualityComparer.Instance);
        var targetNodes = new HashSet<GradNode>(nodeOutputs.Keys.Select(k => k.Item1), ReferenceEqualityComparer.Instance);
        for (int i = topologicalOrder.Count - 1; i >= 0; i--)
        {
            var node = topologicalOrder[i];
            bool need = targetNodes.Contains(node);
            foreach (var e in node.Edges)
            {
                if (need) break;
                if (e is null) continue;
                need = e.Node is not null ? needed.Contains(e.Node) : leaves.ContainsKey(e.Leaf!);
            }
            if (need) needed.Add(node);
        }
        return needed;
    }

    internal Tensor?[] Results(bool allowUnused)
    {
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i] is null && !allowUnused)
                throw new InvalidOperationException($"Autograd.Grad: input {i} (shape {Shapes.Format(inputs[i].shape)}) was not used to compute the outputs; pass allowUnused: true to get null for it");
        }
        return results;
    }
}
