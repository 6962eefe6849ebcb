namespace Kiln.Data;

/// <summary>Makes <see cref="DataLoader{T, TBatch}"/>s with the default collate, the element types inferred.</summary>
public static class DataLoader
{
    /// <summary>
    /// A loader that stacks the samples of each batch with the default collate (<see cref="Collate.Default{T}"/>:
    /// Tensor, Tensor[] and (Tensor, Tensor) samples). For a <see cref="TensorDataset"/>, or a <see cref="Subset{T}"/> of one
    /// (as <see cref="Dataset.RandomSplit{T}(Dataset{T}, IReadOnlyList{double}, Generator?)"/> makes), each batch tensor is gathered
    /// with one <see cref="Tensor.IndexSelect"/> instead of stacking one view per sample; the result is the same.
    /// </summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Visit the samples in a new random order every epoch.</param>
    /// <param name="dropLast">Drop the last batch of an epoch when it is short.</param>
    /// <param name="generator">The generator shuffling draws from (<see cref="Random.DefaultGenerator"/> when null).</param>
    /// <param name="prefetchFactor">Batches loaded ahead on a background thread; 0 loads on the calling thread.</param>
    /// <param name="sampler">The order of the samples, instead of <paramref name="shuffle"/>.</param>
    /// <exception cref="NotSupportedException">There is no default collate for <typeparamref name="T"/>.</exception>
    /// <exception cref="ArgumentException">Both a sampler and shuffle are given, or a size is not positive.</exception>
    public static DataLoader<T, T> Create<T>(Dataset<T> dataset, int batchSize = 1, bool shuffle = false, bool dropLast = false,
        Generator? generator = null, int prefetchFactor = 2, Sampler<long>? sampler = null)
    {
        var batches = DataLoader<T, T>.BatchesOf(dataset, batchSize, shuffle, dropLast, generator, sampler);
        if (dataset is Dataset<Tensor[]> rows && TensorDataset.RowGatherer(rows) is { } gather)
            return new DataLoader<T, T>(dataset, batches, (Func<long[], T>)(object)gather, prefetchFactor);
        return new DataLoader<T, T>(dataset, batches, Collate.Default<T>(), prefetchFactor);
    }

    /// <summary>A loader that makes each batch from its samples with <paramref name="collate"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="collate">Makes a batch from its samples, in sampler order.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Visit the samples in a new random order every epoch.</param>
    /// <param name="dropLast">Drop the last batch of an epoch when it is short.</param>
    /// <param name="generator">The generator shuffling draws from (<see cref="Random.DefaultGenerator"/> when null).</param>
    /// <param name="prefetchFactor">Batches loaded ahead on a background thread; 0 loads on the calling thread.</param>
    /// <param name="sampler">The order of the samples, instead of <paramref name="shuffle"/>.</param>
    /// <exception cref="ArgumentException">Both a sampler and shuffle are given, or a size is not positive.</exception>
    public static DataLoader<T, TBatch> Create<T, TBatch>(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate, int batchSize = 1,
        bool shuffle = false, bool dropLast = false, Generator? generator = null, int prefetchFactor = 2, Sampler<long>? sampler = null) =>
        new(dataset, collate, batchSize, shuffle, dropLast, generator, prefetchFactor, sampler);
}
