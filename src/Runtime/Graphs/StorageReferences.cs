using System.Runtime.InteropServices;

namespace Kiln.Graphs;

/// <summary>
/// The references one run's live slots hold to each returnable storage (<see cref="Storage.IsReturnable"/>: a pooled
/// buffer); a storage whose count drops to zero is referenced by nothing the run can still reach, so its buffer goes back
/// to the pool at once. Tuples and lists count the tensors in them. Made only for runs in which nothing records autograd.
/// </summary>
internal sealed class StorageReferences
{
    private readonly Dictionary<Storage, int> counts = new(ReferenceEqualityComparer.Instance);

    /// <summary>Counts the values in <paramref name="slots"/>.</summary>
    internal void Hold(object?[] slots, int[] slotIds)
    {
        foreach (int s in slotIds) Visit(slots[s], +1);
    }

    /// <summary>Counts <paramref name="tensors"/>, held outside the slots for the whole run.</summary>
    internal void Hold(IReadOnlyList<Tensor> tensors)
    {
        foreach (var t in tensors) Visit(t, +1);
    }

    /// <summary>Lets go of the values in <paramref name="slots"/> (about to be cleared), returning the buffers nothing holds any more.</summary>
    internal void Drop(object?[] slots, int[] slotIds)
    {
        foreach (int s in slotIds) Visit(slots[s], -1);
    }

    private void Visit(object? value, int delta)
    {
        switch (value)
        {
            case Tensor t:
                Count(t.storage, delta);
                break;
            case IReadOnlyList<object?> items:
                foreach (var item in items) Visit(item, delta);
                break;
        }
    }

    private void Count(Storage storage, int delta)
    {
        if (!storage.IsReturnable) return;
        ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, storage, out _);
        count += delta;
        if (count > 0) return;
        counts.Remove(storage);
        storage.ReturnBuffer();
    }
}
