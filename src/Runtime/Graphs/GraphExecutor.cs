using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Runs a <see cref="Graph"/> on the CPU kernels eager mode uses (so results equal eager Kiln's bit for
/// bit), on any inputs that fit its types: a dim symbol such as <c>?b</c> takes its size from the inputs
/// of each run. Ops run through the same dispatch as eager calls, so autograd records through the graph
/// when an input or parameter requires grad. Each value is dropped as soon as nothing later reads it, and its buffer
/// goes back to the pool at once when nothing else can reach it.
/// A failing node raises a <see cref="GraphExecutionException"/> naming the node and its source span.
/// </summary>
/// <remarks>
/// Runtime values: tensors are <see cref="Tensor"/>s, <c>int</c> is <see cref="long"/>, <c>float</c> is
/// <see cref="double"/>, <c>bool</c> is <see cref="bool"/>, none is null, a list is an
/// <c>IReadOnlyList&lt;object?&gt;</c> and a tuple an <c>object?[]</c>. The graph is prepared once, when
/// the executor is made (after changing the graph, make a new one); runs may overlap on other threads.
/// </remarks>
public sealed class GraphExecutor
{
    private readonly GraphPlan plan;
    private readonly IReadOnlyList<Value> inputs;
    private readonly string[] inputNames;
    // The body's arguments with the parameters in place; each run copies it and fills in the inputs.
    private readonly object?[] arguments;
    private readonly int[] inputPositions;
    private readonly IReadOnlyDictionary<string, long> parameterSizes;
    private readonly BufferReuseSwitch reuse;

    /// <summary>Prepares <paramref name="graph"/> to run with <paramref name="parameters"/> bound to its parameters by name.</summary>
    /// <param name="graph">The graph (it should verify).</param>
    /// <param name="parameters">
    /// A tensor for each of the graph's parameters and for each tensor constant that holds no tensor
    /// (as after parsing <c>.kir</c> text), by name: <c>fc1.weight</c>.
    /// </param>
    /// <exception cref="ArgumentException">A parameter is missing, not the graph's, or of the wrong dtype or shape (the message names every one).</exception>
    /// <exception cref="NotSupportedException">The graph has a node the executor cannot run.</exception>
    public GraphExecutor(Graph graph, IReadOnlyDictionary<string, Tensor>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        var binding = new ParameterBinding(graph, parameters ?? new Dictionary<string, Tensor>());
        parameterSizes = binding.Sizes;
        inputs = graph.Inputs;
        var names = new ValueNamer(graph);
        inputNames = [.. inputs.Select(i => names[i])];
        var body = graph.Body.Params;
        arguments = new object?[body.Count];
        inputPositions = new int[inputs.Count];
        int nextInput = 0, nextParameter = 0;
        for (int i = 0; i < body.Count; i++)
        {
            if (graph.IsParameter(body[i])) arguments[i] = binding.Parameters[nextParameter++];
            else inputPositions[nextInput++] = i;
        }
        var planner = new ExecutionPlanner(binding.TensorOf);
        plan = planner.Plan(graph);
        reuse = planner.Reuse;
    }

    /// <summary>The graph this executor runs.</summary>
    public Graph Graph { get; }

    /// <summary>The tensors bound to the graph's parameters (what a run reads but does not create).</summary>
    internal IEnumerable<Tensor> BoundTensors => arguments.OfType<Tensor>();

    /// <summary>
    /// Whether runs hand each intermediate's buffer back to the pool right after its last use, when nothing else can reach
    /// it, so the next allocation of that size reuses it warm (on unless <c>KILN_BUFFER_REUSE=off</c>; see
    /// <see cref="BufferReusePlan"/>). Runs that record autograd never do.
    /// </summary>
    internal bool ReuseBuffers
    {
        get => reuse.On;
        set => reuse.On = value;
    }

    /// <summary>Called after each node (test hook: which values are still held; <see cref="GraphMemory"/>).</summary>
    internal NodeObserver? Observer { get; set; }

    /// <summary>Runs the graph on <paramref name="inputs"/> (one per graph input, in order) and returns its outputs.</summary>
    /// <exception cref="ArgumentException">
    /// The wrong number of inputs, or an input whose dtype, rank or a dim does not fit its type, or whose
    /// symbolic dim differs from the same symbol's size in another input (the message names the input, its
    /// expected type and its actual shape).
    /// </exception>
    /// <exception cref="GraphExecutionException">A node failed; the inner exception says why.</exception>
    public object?[] Run(params object?[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != this.inputs.Count)
            throw new ArgumentException(
                $"graph @{Graph.Name} takes {this.inputs.Count} input(s) ({string.Join(", ", inputNames.Zip(this.inputs, (n, v) => $"{n}: {v.Type}"))}), got {inputs.Length}",
                nameof(inputs));
        var binder = new ValueBinder(parameterSizes);
        var args = (object?[])arguments.Clone();
        for (int i = 0; i < inputs.Length; i++)
            args[inputPositions[i]] = binder.Bind(inputs[i], this.inputs[i].Type, "input " + inputNames[i]);
        return plan.Run(args, binder.Sizes, Observer);
    }
}
