namespace Kiln.Data;

/// <summary>
/// A map-style data set: a fixed number of samples, each fetched by its position
/// (<c>torch.utils.data.Dataset</c> with <c>__len__</c> and <c>__getitem__</c>).
/// A <see cref="DataLoader{T, TBatch}"/> fetches samples from it, on a background thread when it prefetches,
/// so the indexer must be safe to call from another thread than the one that built the data set.
/// </summary>
/// <typeparam name="T">The type of one sample, e.g. <c>Tensor[]</c> for a <see cref="TensorDataset"/>.</typeparam>
public abstract class Dataset<T>
{
    /// <summary>The number of samples (<c>len(dataset)</c>).</summary>
    public abstract long Count { get; }

    /// <summary>The sample at <paramref name="index"/>, in [0, <see cref="Count"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    public abstract T this[long index] { get; }

    /// <summary>Throws unless <paramref name="index"/> is in [0, <see cref="Count"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    protected void CheckIndex(long index)
    {
        long count = Count;
        if ((ulong)index >= (ulong)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GetType().Name}: index {index} is out of range for a data set of {count} samples");
    }
}
