using Kiln.Graphs;
using Kiln.IR;
using Kiln.NN;
using Kiln.Scripting;

namespace Kiln;

/// <summary>
/// A module whose forward pass runs as a graph (made by <see cref="Jit.Script(Module)"/> or <see cref="Jit.Trace(Module, Tensor[])"/>).
/// It shares the wrapped <see cref="Module"/>'s parameters, buffers and submodules under the same names, so
/// <see cref="Module.Parameters"/>, <see cref="Module.StateDict"/> and optimisers see the eager module's tensors, and
/// training through it updates them (the graph's ops record autograd like eager ones). A graph is made for each
/// training mode (of every submodule) and input signature on first use and kept; <see cref="Module.Train"/> and
/// <see cref="Module.Eval"/> switch between them.
/// </summary>
/// <remarks>
/// State the forward pass updates in place (batch-norm running statistics in training) is updated as in eager mode:
/// the graph returns the new values after Forward's own outputs (<see cref="StateOutputs"/>), and each run copies them
/// into the module's tensors, outside autograd. Convert the module (<see cref="Module.To(DType)"/>) before scripting
/// it: conversion replaces parameters, which the graphs already hold. <see cref="Save(string)"/> writes the graphs and
/// tensors to a <c>.kiln</c> file, and <see cref="Load(string)"/> gives a module that runs them without the model's class.
/// </remarks>
public sealed partial class ScriptModule : Module
{
    // Held outside any Module-typed field, so the wrapped module is not found as a submodule named "module":
    // its members are registered under their own names instead.
    private readonly (Module Module, IGraphLowering Lowering) source;
    private readonly List<Lowered> graphs = [];
    private readonly Lock gate = new();
    private Lowered? last;

    /// <summary>
    /// A module running <paramref name="module"/>'s forward pass through the graphs <paramref name="lowering"/> makes,
    /// starting with <paramref name="stored"/> ones (the last of them the latest).
    /// </summary>
    internal ScriptModule(Module module, IGraphLowering lowering, IReadOnlyList<Lowered>? stored = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        source = (module, lowering);
        graphs.AddRange(stored ?? []);
        last = graphs.LastOrDefault();
        foreach (var member in module.Members())
        {
            switch (member.Kind)
            {
                case MemberKind.Parameter: RegisterParameter(member.Name, (Parameter?)member.Value); break;
                case MemberKind.Buffer: RegisterBuffer(member.Name, (Tensor?)member.Value, member.Persistent); break;
                default: RegisterModule(member.Name, (Module?)member.Value); break;
            }
        }
        SetOwnMode(this, module.Training);
    }

    /// <summary>
    /// The eager module this one runs (its submodules and tensors are this module's); for a loaded module, the tree of
    /// modules holding the stored parameters and buffers, which has no Forward of its own.
    /// </summary>
    public Module Module => source.Module;

    /// <summary>The graph made last (for the latest new input signature or mode): Forward's outputs, then the <see cref="StateOutputs"/>.</summary>
    /// <exception cref="InvalidOperationException">No graph was made yet: <see cref="Jit.Script(Module)"/> lowers on the first call.</exception>
    public Graph Graph => Last.Graph;

    /// <summary>
    /// The state-dict names of the module tensors that <see cref="Graph"/>'s last outputs update (one per output, in
    /// order; empty when Forward updates no state, as in evaluation mode).
    /// </summary>
    /// <exception cref="InvalidOperationException">No graph was made yet.</exception>
    public IReadOnlyList<string> StateOutputs => [.. Last.Updates.Select(u => u.Name)];

    private Lowered Last => last ?? throw new InvalidOperationException(
        $"ScriptModule({Module.GetType().Name}): no graph yet; Jit.Script lowers on the first Forward for each input signature (call Forward, or use Jit.Script(module, example))");

    /// <summary>The graphs made so far, one per training mode and input signature.</summary>
    public IReadOnlyList<Graph> Graphs
    {
        get
        {
            lock (gate) return [.. graphs.Select(g => g.Graph)];
        }
    }

    /// <summary>Runs the graph on <paramref name="inputs"/> and returns its only output.</summary>
    /// <exception cref="InvalidOperationException">The graph returns more than one output, or one that is not a tensor: use <see cref="Run"/>.</exception>
    public Tensor Forward(params Tensor[] inputs)
    {
        var outputs = Run(inputs);
        return outputs is [Tensor single] ? single : throw new InvalidOperationException(
            $"ScriptModule({Module.GetType().Name}).Forward: the graph returns {outputs.Length} outputs ({string.Join(", ", Graph.Outputs.Take(outputs.Length).Select(o => o.Type))}), not one tensor; use Run to get them all");
    }

    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> (tensors, one per Forward parameter), writes the state it updates
    /// into the module's tensors, and returns every output of Forward (tuples as <c>object?[]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An input is not a tensor.</exception>
    /// <exception cref="ScriptException">No graph exists yet for these inputs and making one fails.</exception>
    /// <exception cref="ArgumentException">The module was loaded and no stored graph takes these inputs in the current modes.</exception>
    public object?[] Run(params object?[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var tensors = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            tensors[i] = inputs[i] as Tensor ?? throw new ArgumentException(
                $"ScriptModule({Module.GetType().Name}): input {i} is {(inputs[i] is null ? "null" : "a " + inputs[i]!.GetType().Name)}; its inputs are tensors", nameof(inputs));
        }
        var lowered = Lower(tensors);
        return StoreState(lowered, lowered.Executor.Run(inputs));
    }

    /// <summary>The graph for <paramref name="inputs"/> in the current modes, made now when there is none.</summary>
    internal Lowered Lower(Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string modes = string.Concat(Modules().Select(m => m.Training ? '1' : '0'));
        lock (gate)
        {
            // Train and Eval reach the shared submodules but not the wrapped module's own flag, which its Forward may read.
            if (Module.Training != Training) SetOwnMode(Module, Training);
            var found = graphs.FirstOrDefault(g => g.Modes == modes && Admits(g.Graph, inputs));
            if (found is not null) return found;
            var capture = source.Lowering.Lower(Module, inputs);
            var made = new Lowered(modes, capture.Graph, new GraphExecutor(capture.Graph, capture.Parameters), [.. capture.StateUpdates], capture.Parameters);
            if (optimized) made = Optimized(made);
            graphs.Add(made);
            return last = made;
        }
    }

    /// <summary>The graphs made so far, in the order made (the last is the latest).</summary>
    /// <exception cref="InvalidOperationException">No graph was made yet.</exception>
    internal IReadOnlyList<Lowered> Snapshot()
    {
        lock (gate)
        {
            // Last throws, saying how to make a graph, when there is none.
            _ = Last;
            return [.. graphs];
        }
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"module={Module.GetType().Name}, graphs={graphs.Count}";

    /// <summary>
    /// Copies the graph's state outputs into the module's tensors (outside autograd, like the eager in-place writes)
    /// and returns Forward's own outputs.
    /// </summary>
    private static object?[] StoreState(Lowered lowered, object?[] outputs)
    {
        int own = outputs.Length - lowered.Updates.Count;
        using (Autograd.NoGrad())
        {
            for (int i = 0; i < lowered.Updates.Count; i++) lowered.Updates[i].State.Copy_((Tensor)outputs[own + i]!);
        }
        return outputs[..own];
    }

    private static bool Admits(Graph graph, Tensor[] inputs)
    {
        var types = graph.Inputs;
        if (types.Count != inputs.Length) return false;
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        return types.Select((v, i) => v.Type is TensorValueType t && t.Admits(new TensorType(inputs[i].DType, inputs[i].Shape), sizes)).All(ok => ok);
    }

    /// <summary>Sets <paramref name="module"/>'s own training flag, leaving its submodules' flags as they are.</summary>
    private static void SetOwnMode(Module module, bool training)
    {
        var below = module.Modules().Skip(1).Select(m => (Module: m, m.Training)).ToArray();
        module.Train(training);
        // Parents come before their children, so each keeps the flag it had.
        foreach (var (m, mode) in below) m.Train(mode);
    }

    /// <summary>
    /// A graph made for one mode key (every module's training flag) and the input types of its inputs, with the state
    /// its last outputs update and the tensors its executor binds by name (parameters, constants).
    /// </summary>
    internal sealed record Lowered(string Modes, Graph Graph, GraphExecutor Executor, IReadOnlyList<StateUpdate> Updates, IReadOnlyDictionary<string, Tensor> Bindings);
}
