using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// The tensor memory one run of a graph creates, as the executor holds it (each value dropped after its last use).
/// Counted per storage (views share their base's), over the values of the graph's own frame: inputs, parameters and
/// constants are not counted, nor temporaries inside a kernel or an interpreted callee.
/// </summary>
/// <param name="PeakBytes">
/// The most bytes of created tensors alive at once: for each node, those alive before it (its operands among them) and
/// after it (its results), together.
/// </param>
/// <param name="AllocatedBytes">
/// The bytes of every tensor the run created: what the run would hold at its end if nothing were freed early (eager
/// mode, where the garbage collector frees tensors only at its next collection, comes close to this).
/// </param>
/// <param name="BufferBytes">
/// The bytes of the distinct buffers behind those tensors: the memory the run actually touched. With buffer reuse (each
/// intermediate's buffer back to the pool after its last use) this is close to <paramref name="PeakBytes"/>; without it,
/// close to <paramref name="AllocatedBytes"/> unless a garbage collection ran during the run.
/// </param>
/// <param name="ReturnedBytes">
/// The bytes of the buffers the run handed back to the pool right after their last use, for a later tensor of the same
/// size in this run or the next (0 with buffer reuse off, or while autograd records).
/// </param>
public sealed record GraphMemoryReport(long PeakBytes, long AllocatedBytes, long BufferBytes, long ReturnedBytes)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"peak {PeakBytes} bytes alive, {AllocatedBytes} bytes created in {BufferBytes} bytes of buffers, {ReturnedBytes} bytes returned early";
}

/// <summary>Measures <see cref="GraphMemoryReport"/>s by watching a run of a <see cref="GraphExecutor"/> node by node.</summary>
public static class GraphMemory
{
    /// <summary>
    /// Runs <paramref name="executor"/> once on <paramref name="inputs"/>, measuring its memory; returns the report and the
    /// run's outputs. Not for runs that overlap on other threads (the watch is the executor's).
    /// </summary>
    /// <inheritdoc cref="GraphExecutor.Run" path="/exception"/>
    public static (GraphMemoryReport Report, object?[] Outputs) Measure(GraphExecutor executor, params object?[] inputs)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(inputs);
        var given = inputs.OfType<Tensor>().Concat(executor.BoundTensors).Select(t => t.storage).ToHashSet(ReferenceEqualityComparer.Instance);
        var created = new HashSet<Storage>(ReferenceEqualityComparer.Instance);
        // Created storages whose pooled buffer could still go back to the pool when first seen.
        var returnable = new List<Storage>();
        var before = new HashSet<Storage>(ReferenceEqualityComparer.Instance);
        var alive = new HashSet<Storage>(ReferenceEqualityComparer.Instance);
        long peak = 0;
        executor.Observer = (node, slots) =>
        {
            if (node.Graph != executor.Graph) return;
            // A tensor constant's tensor is held by the graph, like a parameter.
            if (node.Constant is TensorConstant && slots[node.Result.Id] is Tensor held) given.Add(held.storage);
            alive.Clear();
            foreach (var slot in slots)
            {
                if (slot is Tensor t && !given.Contains(t.storage)) alive.Add(t.storage);
            }
            // While the node ran, what was alive before it (its operands included) and its results were all held.
            foreach (var s in alive)
            {
                if (created.Add(s) && s.IsReturnable) returnable.Add(s);
            }
            peak = Math.Max(peak, Bytes(alive) + Bytes(before.Where(s => !alive.Contains(s))));
            (before, alive) = (alive, before);
        };
        try
        {
            var outputs = executor.Run(inputs);
            // A buffer given back after its last use and handed to a later tensor counts once.
            long buffers = new HashSet<byte[]>(created.Select(s => s.Bytes), ReferenceEqualityComparer.Instance).Sum(b => (long)b.Length);
            return (new GraphMemoryReport(peak, Bytes(created), buffers, Bytes(returnable.Where(s => !s.IsReturnable))), outputs);
        }
        finally
        {
            executor.Observer = null;
        }
    }

    private static long Bytes(IEnumerable<Storage> storages) => storages.Sum(s => (long)s.Bytes.Length);
}
