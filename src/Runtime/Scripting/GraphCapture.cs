using Kiln.IR;
using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// A graph being captured from a module (by the script frontend, the tracer and the built-in layers' lowerings):
/// the module's parameters and buffers become graph parameters named by their state-dict names, found by
/// reference, so the captured graph runs with the module's live tensors (training through it updates them);
/// other tensors the model reads become named tensor constants holding the tensor. In-place writes into module
/// state are kept as <see cref="StateUpdates"/> (later reads see the new value), which the finished graph returns after
/// its own outputs.
/// </summary>
public sealed class GraphCapture
{
    private readonly Dictionary<Tensor, string> stateNames = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, Value> bound = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Tensor> parameters = new(StringComparer.Ordinal);
    // The latest value of each state tensor written so far, in the order of first write.
    private readonly List<StateUpdate> updates = [];
    // Numbers the constants' names (a frontend may remove constants it made and did not use).
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

    /// <summary>
    /// The module state written so far (one entry per state tensor, with its latest value, in the order of first
    /// write); <see cref="AddStateOutputs"/> makes them the graph's last outputs.
    /// </summary>
    public IReadOnlyList<StateUpdate> StateUpdates => updates;

    /// <summary>The parameters and buffers of <see cref="Root"/>.</summary>
    internal IEnumerable<Tensor> StateTensors => stateNames.Keys;

    /// <summary>Whether <paramref name="tensor"/> is a parameter or buffer of <see cref="Root"/> (bound by reference as a graph parameter).</summary>
    internal bool IsState(Tensor tensor) => stateNames.ContainsKey(tensor);

    /// <summary>Whether <paramref name="tensor"/> is module state the captured pass has written.</summary>
    internal bool IsUpdated(Tensor tensor) => stateNames.TryGetValue(tensor, out var name) && updates.Exists(u => u.Name == name);

    /// <summary>The state-dict name of a parameter or buffer of <see cref="Root"/>.</summary>
    internal string StateName(Tensor state) => stateNames[state];

    /// <summary>
    /// The graph value for a tensor the model reads that is not computed in the graph: a parameter or buffer of
    /// <see cref="Root"/> becomes a graph parameter named by its state-dict name (or, once the pass has written it,
    /// the value written last); any other tensor a constant. The same tensor gives the same value until it is written.
    /// </summary>
    public Value Bind(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (stateNames.TryGetValue(tensor, out var state) && updates.Find(u => u.Name == state) is { } update) return update.Value;
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
            // Tensor constants go first in the body (after those kept so far), so every later node (in any block) can read them.
            string constName = "const" + constants++;
            var node = Graph.CreateNode(NodeKind.Constant, null, [], [], [type], new TensorConstant(constName, new TensorType(tensor.DType, tensor.Shape), tensor));
            Graph.Body.Insert(Graph.Body.Nodes.TakeWhile(n => n.Constant is TensorConstant).Count(), node);
            value = node.Result;
            value.Name = constName;
        }
        bound[tensor] = value;
        return value;
    }

    /// <summary>
    /// Puts the state updates back to <paramref name="saved"/> (a frontend that records a call a second time, only to
    /// compare, drops the second recording's writes with it).
    /// </summary>
    public void ResetStateUpdates(IEnumerable<StateUpdate> saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var kept = saved.ToList();
        updates.Clear();
        updates.AddRange(kept);
    }

    /// <summary>Records that the pass wrote <paramref name="value"/> into <paramref name="state"/>, a parameter or buffer of <see cref="Root"/>.</summary>
    internal void UpdateState(Tensor state, Value value)
    {
        var update = new StateUpdate(stateNames[state], state, value);
        int index = updates.FindIndex(u => u.Name == update.Name);
        if (index < 0) updates.Add(update);
        else updates[index] = update;
    }

    /// <summary>
    /// Finishes the graph's outputs: the values of <see cref="StateUpdates"/> follow the forward pass's own outputs, each
    /// named after its state (so the graph text reads <c>return %out, %bn.running_mean_1</c>).
    /// </summary>
    internal void AddStateOutputs()
    {
        foreach (var update in updates.Where(u => u.Value.Producer is not null)) update.Value.Name = update.Name;
        Graph.SetOutputs([.. Graph.Outputs, .. updates.Select(u => u.Value)]);
    }
}
