using Kiln.IR;
using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// A graph being captured from a module (by the script frontend, the tracer and the built-in layers' lowerings):
/// the module's parameters and buffers become graph parameters named by their state-dict names, found by
/// reference, so the captured graph runs with the module's live tensors (training through it updates them);
/// other tensors the model reads become named tensor constants holding the tensor.
/// </summary>
public sealed class GraphCapture
{
    private readonly Dictionary<Tensor, string> stateNames = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, Value> bound = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Tensor> parameters = new(StringComparer.Ordinal);
    private int constants;

    /// <summary>Starts capturing graph <paramref name="graphName"/> of <paramref name="root"/>.</summary>
    public GraphCapture(Module root, string graphName = "forward")
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
        Graph = new Graph(graphName);
        foreach (var (name, p) in root.NamedParameters()) stateNames.TryAdd(p, name);
        foreach (var (name, b) in root.NamedBuffers()) stateNames.TryAdd(b, name);
    }

    /// <summary>The module being captured.</summary>
    public Module Root { get; }

    /// <summary>The graph being built: the capturer adds its inputs, nodes and outputs.</summary>
    public Graph Graph { get; }

    /// <summary>Whether the module is in training mode (dropout, batch-norm statistics): a capture is per mode.</summary>
    public bool Training => Root.Training;

    /// <summary>The module tensors bound as graph parameters so far, by parameter name (what the executor binds).</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters => parameters;

    /// <summary>Whether <paramref name="tensor"/> is a parameter or buffer of <see cref="Root"/> (bound by reference as a graph parameter).</summary>
    internal bool IsState(Tensor tensor) => stateNames.ContainsKey(tensor);

    /// <summary>
    /// The graph value for a tensor the model reads that is not computed in the graph: a parameter or buffer of
    /// <see cref="Root"/> becomes a graph parameter named by its state-dict name; any other tensor a constant.
    /// The same tensor always gives the same value.
    /// </summary>
    public Value Bind(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (bound.TryGetValue(tensor, out var known)) return known;
        var type = TensorValueType.Of(tensor.DType, [.. tensor.Shape.Select(Dim.Of)]);
        Value value;
        if (stateNames.TryGetValue(tensor, out var name))
        {
            value = Graph.AddParameter(name, type);
            parameters[name] = tensor;
        }
        else
        {
            // Constants go first in the body, so every later node (in any block) can read them.
            string constName = "const" + constants;
            var node = Graph.CreateNode(NodeKind.Constant, null, [], [], [type], new TensorConstant(constName, new TensorType(tensor.DType, tensor.Shape), tensor));
            Graph.Body.Insert(constants++, node);
            value = node.Result;
            value.Name = constName;
        }
        bound[tensor] = value;
        return value;
    }
}
