using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>Called after each node runs (and its dead values are dropped) with the run's value slots; tests watch memory with it.</summary>
internal delegate void NodeObserver(Node node, IReadOnlyList<object?> slots);

/// <summary>The values of one run of one graph: a slot per <see cref="Value.Id"/>, and the sizes of the dim symbols.</summary>
internal sealed class Frame(int slotCount, IReadOnlyDictionary<string, long> sizes, NodeObserver? observer)
{
    /// <summary>The runtime value of each live graph value, by <see cref="Value.Id"/>; null once dropped.</summary>
    internal object?[] Slots { get; } = new object?[slotCount];

    /// <summary>The size of each dim symbol in this run (for splat constants shaped like a batch).</summary>
    internal IReadOnlyDictionary<string, long> Sizes { get; } = sizes;

    /// <summary>The observer of this run, or null.</summary>
    internal NodeObserver? Observer { get; } = observer;

    /// <summary>The references to pooled storage held by the body's slots when this run gives buffers back early, else null.</summary>
    internal StorageReferences? References { get; init; }
}

/// <summary>One node of a block, prepared to run: its operand and result slots, and the slots dead after it.</summary>
internal abstract class Step(Node node)
{
    /// <summary>The node this step runs.</summary>
    internal Node Node { get; } = node;

    /// <summary>The slot of each operand.</summary>
    protected int[] Operands { get; } = [.. node.Operands.Select(o => o.Id)];

    /// <summary>The slot of each result.</summary>
    private int[] Results { get; } = [.. node.Results.Select(r => r.Id)];

    /// <summary>The slots to clear after the step: values of its block whose last use it is.</summary>
    internal int[] Dead { get; set; } = [];

    /// <summary>Runs the node: reads its operands' slots and fills its results' slots.</summary>
    internal abstract void Execute(Frame frame);

    /// <summary>Operand <paramref name="k"/>'s runtime value.</summary>
    protected object? Operand(Frame frame, int k) => frame.Slots[Operands[k]];

    /// <summary>Stores the node's results.</summary>
    /// <exception cref="InvalidOperationException">The number of values is not the node's number of results.</exception>
    protected void SetResults(Frame frame, IReadOnlyList<object?> values)
    {
        if (values.Count != Results.Length)
            throw new InvalidOperationException($"{Node.Name} produced {values.Count} result(s), but the graph expects {Results.Length}");
        for (int r = 0; r < values.Count; r++) frame.Slots[Results[r]] = values[r];
    }

    /// <summary>Stores the node's only result.</summary>
    protected void SetResult(Frame frame, object? value) => frame.Slots[Results[0]] = value;
}

/// <summary>
/// A block prepared to run: its steps in order, the slots of its parameters and returns, and which of its
/// own values to drop where (right after their last use; a value used inside a nested block is used by
/// the node owning that block, so a loop keeps what its body reads alive for the whole loop).
/// </summary>
internal sealed class BlockPlan(int[] parameters, Step[] steps, int[] returns, int[] deadAtStart, int[] deadAtEnd)
{
    /// <summary>The steps, in order.</summary>
    internal Step[] Steps => steps;

    /// <summary>For a graph's body, which slots hold and let go of storage where (<see cref="BufferReusePlan"/>); else null.</summary>
    internal BufferReusePlan? Reuse { get; set; }

    /// <summary>Runs the block with <paramref name="arguments"/> as its parameters and returns what it yields.</summary>
    /// <exception cref="GraphExecutionException">A node failed.</exception>
    internal object?[] Run(Frame frame, IReadOnlyList<object?> arguments)
    {
        var slots = frame.Slots;
        for (int i = 0; i < parameters.Length; i++) slots[parameters[i]] = arguments[i];
        // Only the body's own run counts references (a nested block's values die inside the node that owns it).
        var reuse = Reuse;
        var references = reuse is null ? null : frame.References;
        references?.Hold(slots, reuse!.Parameters);
        Clear(slots, deadAtStart);
        for (int i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            Execute(step, frame);
            if (references is not null)
            {
                references.Hold(slots, reuse!.Results[i]);
                references.Drop(slots, reuse.Dying[i]);
            }
            Clear(slots, step.Dead);
            frame.Observer?.Invoke(step.Node, slots);
        }
        var results = new object?[returns.Length];
        for (int i = 0; i < results.Length; i++) results[i] = slots[returns[i]];
        Clear(slots, deadAtEnd);
        return results;
    }

    /// <summary>Runs <paramref name="step"/>; a failure comes out as a <see cref="GraphExecutionException"/> naming its node.</summary>
    /// <exception cref="GraphExecutionException">The step failed.</exception>
    internal static void Execute(Step step, Frame frame)
    {
        try
        {
            step.Execute(frame);
        }
        catch (Exception e) when (e is not GraphExecutionException inner || inner.Node?.Graph != step.Node.Graph)
        {
            // A failure inside a nested block of this graph is already named by its node; a callee's is wrapped to name the call too.
            throw new GraphExecutionException(step.Node, e);
        }
    }

    private static void Clear(object?[] slots, int[] dead)
    {
        foreach (int s in dead) slots[s] = null;
    }
}

/// <summary>
/// A graph prepared to run: the plan of its body. Plans are immutable once made (but for the reuse switch), so runs may
/// overlap.
/// </summary>
/// <param name="graph">The graph.</param>
/// <param name="reuse">The switch for explicit buffer reuse, shared by the plans of one executor.</param>
internal sealed class GraphPlan(Graph graph, BufferReuseSwitch reuse)
{
    /// <summary>The graph.</summary>
    internal Graph Graph { get; } = graph;

    /// <summary>The plan of the body, set once the planner has finished it (a recursive call sees it later).</summary>
    internal BlockPlan? Body { get; set; }

    /// <summary>
    /// The tensors of the tensor constants of the graph and the graphs it calls: one that requires grad makes the run
    /// record autograd, which then holds intermediates.
    /// </summary>
    internal List<Tensor> Constants { get; } = [];

    /// <summary>
    /// Runs the graph on its body parameters (inputs and parameters, already checked) and returns its outputs; each buffer
    /// nothing can reach any more goes back to the pool after its last use when the switch is on and nothing records
    /// autograd.
    /// </summary>
    internal object?[] Run(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, long> sizes, NodeObserver? observer)
    {
        StorageReferences? references = null;
        if (reuse.On && Body!.Reuse is not null && BufferReuse.RecordsNothing(arguments, Constants))
        {
            // The graph holds its constants' tensors, which a nested block may hand out as a node's result: never recycled.
            references = new StorageReferences();
            references.Hold(Constants);
        }
        return Body!.Run(new Frame(Graph.ValueCount, sizes, observer) { References = references }, arguments);
    }
}

/// <summary>Whether the plans of one executor give buffers back to the pool after their last use (<see cref="BufferReuse"/>).</summary>
internal sealed class BufferReuseSwitch
{
    private volatile bool on = BufferReuse.EnabledByDefault;

    /// <summary>On or off; a run reads it when it starts.</summary>
    internal bool On
    {
        get => on;
        set => on = value;
    }
}
