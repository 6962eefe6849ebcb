using System.Collections;

namespace Kiln.Data;

/// <summary>
/// An order in which to visit a data set: sample indices (<see cref="SequentialSampler"/>, <see cref="RandomSampler"/>)
/// or batches of them (<see cref="BatchSampler"/>) (<c>torch.utils.data.Sampler</c>).
/// </summary>
/// <remarks>
/// Each enumeration is one epoch. A sampler draws its random numbers when <see cref="GetEnumerator"/> is called,
/// so a <see cref="DataLoader{T, TBatch}"/> that prefetches on another thread draws them on the thread that
/// starts the epoch, in a reproducible order with the other draws from the same generator.
/// </remarks>
/// <typeparam name="TIndex">A sample index (<c>long</c>) or a batch of them (<c>long[]</c>).</typeparam>
public abstract class Sampler<TIndex> : IEnumerable<TIndex>
{
    /// <summary>The number of items one epoch yields.</summary>
    public abstract long Count { get; }

    /// <summary>Starts an epoch.</summary>
    public abstract IEnumerator<TIndex> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
