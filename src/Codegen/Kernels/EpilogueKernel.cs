using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// A fused group headed by a matrix product or convolution (the fusion pass's epilogue groups): the callee's first node
/// is <see cref="Head"/>, which the runtime runs with its eager kernel (Kiln's GEMM or convolution), and the remaining
/// nodes are a group over its result, compiled with output 0 written over the product in place: an elementwise
/// <see cref="Epilogue"/> (bias, activation, residual), or a <see cref="RowEpilogue"/> when the rest has row reductions
/// (attention scores: matmul → scale → mask → softmax). The epilogue's input 0 is the product; its other inputs are callee
/// inputs (<see cref="EpilogueInputs"/>).
/// </summary>
public sealed class EpilogueKernel
{
    private readonly int[] epilogueInputs;

    private EpilogueKernel(Node head, CompiledKernel? epilogue, RowKernel? rowEpilogue, int[] epilogueInputs)
    {
        Head = head;
        Epilogue = epilogue;
        RowEpilogue = rowEpilogue;
        this.epilogueInputs = epilogueInputs;
    }

    /// <summary>The callee's matrix product or convolution node (its operands are callee inputs).</summary>
    public Node Head { get; }

    /// <summary>Which callee input each of the head's operands is.</summary>
    public IReadOnlyList<int> HeadInputs => [.. Head.Operands.Select(o => o.Index)];

    /// <summary>The compiled elementwise epilogue (null for a row epilogue); its output 0 overwrites its input 0 (the product).</summary>
    public CompiledKernel? Epilogue { get; }

    /// <summary>The compiled row epilogue (null for an elementwise one); its output 0 overwrites its input 0 (the product).</summary>
    public RowKernel? RowEpilogue { get; }

    /// <summary>Which callee input each epilogue input after the first (the product) is.</summary>
    public IReadOnlyList<int> EpilogueInputs => epilogueInputs;

    /// <summary>Whether <paramref name="callee"/>'s first op is one that may head an epilogue group.</summary>
    public static bool IsHeaded(Graph callee)
    {
        ArgumentNullException.ThrowIfNull(callee);
        return callee.Body.Nodes.FirstOrDefault(n => n.Kind == NodeKind.Op) is { } first && first.Op!.Family is "linalg" or "conv";
    }

    /// <summary>Splits <paramref name="callee"/> into its head and an elementwise graph over the head's result, or says why not.</summary>
    internal static (Node Head, Graph Epilogue, int[] Inputs)? Split(Graph callee, out string? reason)
    {
        var nodes = callee.Body.Nodes;
        var head = nodes.FirstOrDefault(n => n.Kind == NodeKind.Op);
        reason = head is null || callee.Body.IndexOf(head) != 0 ? "not compilable: the matrix product is not the callee's first node"
            : head.Results.Count != 1 || head.Result.Type is not TensorValueType ? $"not compilable: {head.Op!.Name} does not have one tensor result"
            : head.Operands.Any(o => o.ParamOf is null) ? $"not compilable: {head.Op!.Name} reads a value computed in the callee"
            : callee.Outputs.Contains(head.Result) ? $"not compilable: the callee returns {head.Op!.Name}'s result, which its epilogue overwrites"
            : nodes.Skip(1).Any(n => n.Op?.Family is "linalg" or "conv") ? "not compilable: more than one matrix product"
            : null;
        if (reason is not null) return null;
        var epilogue = new Graph(callee.Name + "_epilogue");
        var map = new Dictionary<Value, Value> { [head!.Result] = epilogue.AddInput(head.Result.Name ?? "product", head.Result.Type) };
        var inputs = new List<int>();
        foreach (var node in nodes.Skip(1))
        {
            foreach (var operand in node.Operands.Where(o => !map.ContainsKey(o) && o.ParamOf is not null))
            {
                map[operand] = epilogue.AddInput(operand.Name ?? "in" + inputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), operand.Type);
                inputs.Add(operand.Index);
            }
            map[node.Result] = epilogue.Body.Append(epilogue.CreateNodeLike(node, node.Operands.Select(o => map[o]), [node.Result.Type])).Result;
        }
        epilogue.SetOutputs(callee.Outputs.Select(o => map[o]));
        return (head, epilogue, [.. inputs]);
    }

    /// <summary>The kernel of a checked split whose elementwise epilogue compiled to <paramref name="epilogue"/>.</summary>
    internal static EpilogueKernel Create((Node Head, Graph Epilogue, int[] Inputs) split, CompiledKernel epilogue) =>
        new(split.Head, epilogue, null, split.Inputs);

    /// <summary>The kernel of a checked split whose row epilogue compiled to <paramref name="epilogue"/>.</summary>
    internal static EpilogueKernel Create((Node Head, Graph Epilogue, int[] Inputs) split, RowKernel epilogue) =>
        new(split.Head, null, epilogue, split.Inputs);
}
