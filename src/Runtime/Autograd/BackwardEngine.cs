using Kiln.IR.Autodiff;

namespace Kiln;

/// <summary>
/// Runs the recorded graph backwards: each node's gradient rule once its result gradients are complete
/// (topological order), accumulating into leaves' <see cref="Tensor.Grad"/> or capturing the gradients asked for.
/// </summary>
internal static class BackwardEngine
{
    /// <summary>
    /// Backpropagates <paramref name="gradients"/> from <paramref name="outputs"/>. With <paramref name="inputs"/>,
    /// returns their gradients and leaves every <see cref="Tensor.Grad"/> untouched; without, accumulates into leaves.
    /// </summary>
    internal static Tensor?[] Run(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> gradients, bool retainGraph, bool createGraph,
        IReadOnlyList<Tensor>? inputs, bool allowUnused)
    {
        var targets = inputs is null ? null : new CaptureTargets(inputs);
        var claimed = new HashSet<Storage>(ReferenceEqualityComparer.Instance);
        var pending = new Dictionary<GradNode, Tensor?[]>(ReferenceEqualityComparer.Instance);
        var rootNodes = new List<GradNode>();
        using (GradMode.Set(createGraph))
        {
            for (int i = 0; i < outputs.Count; i++)
            {
                var output = outputs[i];
                var edge = GradRecorder.EdgeTo(output)
                    ?? throw new InvalidOperationException($"backward: output {i} (shape {Shapes.Format(output.shape)}) does not require grad and has no grad_fn; set RequiresGrad on the leaves it is computed from");
                var grad = RootGradient(output, i < gradients.Count ? gradients[i] : null);
                claimed.Add(grad.storage);
                if (edge.Node is { } node)
                {
                    Accumulate(pending, node, edge.OutputIndex, grad);
                    rootNodes.Add(node);
                }
                else
                {
                    Deliver(edge.Leaf!, grad, targets, createGraph, claimed);
                }
            }
            var order = TopologicalOrder(rootNodes);
            var needed = targets?.NeededNodes(order);
            foreach (var node in order)
            {
                if (!pending.Remove(node, out var grads)) continue;
                if (needed is not null && !needed.Contains(node)) continue;
                Execute(node, grads, pending, targets, needed, retainGraph, createGraph, claimed);
            }
        }
        return targets is null ? [] : targets.Results(allowUnused);
    }

    private static Tensor RootGradient(Tensor output, Tensor? gradient)
    {
        if (gradient is null)
        {
            if (output.numel != 1)
                throw new InvalidOperationException($"backward: a gradient can be created implicitly only for a one-element output; pass the gradient for this output of shape {Shapes.Format(output.shape)}");
            return Tensor.OnesLike(output);
        }
        if (!gradient.shape.AsSpan().SequenceEqual(output.shape))
            throw new ArgumentException($"backward: the gradient has shape {Shapes.Format(gradient.shape)} but the output has shape {Shapes.Format(output.shape)}");
        return gradient.DType == output.DType ? gradient : gradient.To(output.DType);
    }

    /// <summary>The nodes reachable from <paramref name="roots"/>, each after every node that feeds it a gradient.</summary>
    private static List<GradNode> TopologicalOrder(List<GradNode> roots)
    {
        var dependencies = new Dictionary<GradNode, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<GradNode>();
        foreach (var r in roots)
        {
            if (dependencies.TryAdd(r, 0)) stack.Push(r);
        }
        while (stack.Count > 0)
        {
            foreach (var edge in stack.Pop().Edges)
            {
                if (edge?.Node is not { } next) continue;
                if (dependencies.TryGetValue(next, out int n)) dependencies[next] = n + 1;
                else { dependencies[next] = 1; stack.Push(next); }
            }
        }
        var order = new List<GradNode>(dependencies.Count);
        var ready = new Stack<GradNode>(dependencies.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        while (ready.Count > 0)
        {
            var node = ready.Pop();
            order.Add(node);
            foreach (var edge in node.Edges)
            {
                if (edge?.Node is not { } next) continue;
                if (--dependencies[next] == 0) ready.Push(next);
            }
        }
        return order;
    }

    private static void Execute(GradNode node, Tensor?[] grads, Dictionary<GradNode, Tensor?[]> pending, CaptureTargets? targets,
        HashSet<GradNode>? needed, bool retainGraph, bool createGraph, HashSet<Storage> claimed)
    {
        if (node.IsReleased)
            throw new InvalidOperationException(
                $"backward: trying to go through {node.Name} a second time, but its saved tensors were freed after the first backward pass; " +
                "pass retainGraph: true to the first Backward (or Autograd.Grad) call");
        if (node.RetainedOutputs is { } retained && targets is null)
        {
            foreach (var (index, tensor) in retained)
            {
                if (grads[index] is { } g) AccumulateGrad(tensor, g, createGraph, claimed);
            }
        }
        targets?.CaptureNodeOutputs(node, grads);
        var edges = node.Edges;
        var needs = new bool[edges.Length];
        for (int i = 0; i < edges.Length; i++)
            needs[i] = edges[i] is { } e && (needed is null || (e.Node is not null ? needed.Contains(e.Node) : targets!.IsTarget(e.Leaf!)));
        var inputGrads = ApplyRule(node, grads, needs);
        for (int i = 0; i < edges.Length; i++)
        {
            if (!needs[i] || inputGrads[i] is not { } g) continue;
            var edge = edges[i]!;
            if (edge.Node is { } next) Accumulate(pending, next, edge.OutputIndex, g);
            else Deliver(edge.Leaf!, g, targets, createGraph, claimed);
        }
        if (!retainGraph) node.Release();
    }

    private static Tensor?[] ApplyRule(GradNode node, Tensor?[] grads, bool[] needs)
    {
        var inputs = new VjpValue?[node.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            inputs[i] = node.Inputs[i] is { } s ? new EagerVjpValue(s) : null;
        var outputs = new VjpValue[node.Outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
            outputs[i] = new EagerVjpValue(node.Outputs[i]);
        var gradOutputs = new VjpValue?[grads.Length];
        for (int i = 0; i < grads.Length; i++)
            gradOutputs[i] = grads[i] is { } g ? new EagerVjpValue(g) : null;
        var result = node.Op.Gradient!(new VjpContext(inputs, outputs, node.Attrs, gradOutputs, needs));
        if (result.Length != inputs.Length)
            throw new InvalidOperationException($"{node.Name}: the gradient rule of {node.Op.Name} returned {result.Length} gradients for {inputs.Length} inputs");
        var tensors = new Tensor?[result.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (!needs[i] || result[i] is not EagerVjpValue v) continue;
            var t = v.Tensor;
            var input = node.Inputs[i]!;
            if (!t.shape.AsSpan().SequenceEqual(input.Shape))
                throw new InvalidOperationException($"{node.Name}: the gradient rule of {node.Op.Name} returned shape {Shapes.Format(t.shape)} for input {i} of shape {Shapes.Format(input.Shape)}");
            tensors[i] = t.DType == input.DType ? t : t.To(input.DType);
        }
        return tensors;
    }

    private static void Accumulate(Dictionary<GradNode, Tensor?[]> pending, GradNode node, int index, Tensor grad)
    {
        if (!pending.TryGetValue(node, out var slots))
            pending[node] = slots = new Tensor?[node.Outputs.Length == 0 ? index + 1 : node.Outputs.Length];
        slots[index] = slots[index] is { } existing ? existing.Add(grad) : grad;
    }

    private static void Deliver(Tensor leaf, Tensor grad, CaptureTargets? targets, bool createGraph, HashSet<Storage> claimed)
    {
        if (targets is not null) targets.CaptureLeaf(leaf, grad);
        else AccumulateGrad(leaf, grad, createGraph, claimed);
    }

    /// <summary>Adds <paramref name="grad"/> into <paramref name="tensor"/>'s <see cref="Tensor.Grad"/>, which owns its storage.</summary>
    private static void AccumulateGrad(Tensor tensor, Tensor grad, bool createGraph, HashSet<Storage> claimed)
    {
        var meta = tensor.autograd ??= new AutogradMeta();
        if (meta.Grad is null)
        {
            meta.Grad = createGraph ? grad : Owned(grad, claimed);
            return;
        }
        if (createGraph) meta.Grad = meta.Grad.Add(grad);
        else using (GradMode.Set(false)) meta.Grad.Add_(grad);
    }

    /// <summary>
    /// A gradient the leaf may keep and later update in place: the tensor itself when this pass computed it into
    /// storage no one else was given (PyTorch steals such gradients too), else a copy.
    /// </summary>
    private static Tensor Owned(Tensor grad, HashSet<Storage> claimed)
    {
        if (grad.IsContiguous && claimed.Add(grad.storage))
            return grad.autograd is null ? grad : grad.Detach();
        using (GradMode.Set(false)) return grad.Clone();
    }
}
