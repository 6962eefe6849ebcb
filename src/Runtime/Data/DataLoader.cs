using System.Collections;

namespace Kiln.Data;

/// <summary>
/// Batches of a data set, one epoch per enumeration (<c>torch.utils.data.DataLoader</c>): a sampler orders
/// the sample indices, they are grouped into batches, the samples of each batch are fetched and a collate
/// function turns them into the batch. With <c>prefetchFactor</c> &gt; 0 the batches are loaded ahead on
/// a background thread while the caller works on earlier ones.
/// </summary>
/// <example>
/// <code>
/// var loader = DataLoader.Create(new TensorDataset(images, labels), batchSize: 64, shuffle: true, generator: new Generator(0));
/// foreach (var (x, y) in loader) { /* one training step */ }
/// </code>
/// </example>
/// <typeparam name="T">The sample type.</typeparam>
/// <typeparam name="TBatch">The batch type the collate function makes.</typeparam>
public sealed class DataLoader<T, TBatch> : IEnumerable<TBatch>
{
    private readonly Func<long[], TBatch> fetchBatch;

    /// <summary>A loader over <paramref name="dataset"/> that turns each batch of samples into a batch with <paramref name="collate"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="collate">Makes a batch from its samples, in sampler order (e.g. <see cref="Collate.Stack(IReadOnlyList{Tensor})"/>).</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Visit the samples in a new random order every epoch (a <see cref="RandomSampler"/>).</param>
    /// <param name="dropLast">Drop the last batch of an epoch when it is short.</param>
    /// <param name="generator">The generator shuffling draws from (<see cref="Random.DefaultGenerator"/> when null); a seeded one gives the same epochs on every run.</param>
    /// <param name="prefetchFactor">Batches loaded ahead on a background thread; 0 loads each batch on the calling thread when it is asked for.</param>
    /// <param name="sampler">The order of the samples, instead of <paramref name="shuffle"/>.</param>
    /// <exception cref="ArgumentException">Both a sampler and shuffle are given, or a size is not positive.</exception>
    public DataLoader(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate, int batchSize = 1, bool shuffle = false, bool dropLast = false,
        Generator? generator = null, int prefetchFactor = 2, Sampler<long>? sampler = null)
        : this(dataset, BatchesOf(dataset, batchSize, shuffle, dropLast, generator, sampler), collate, prefetchFactor)
    {
    }

    /// <summary>A loader whose batches of indices come from <paramref name="batchSampler"/> (<c>batch_sampler=</c>).</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSampler">The index batches of each epoch.</param>
    /// <param name="collate">Makes a batch from its samples, in sampler order.</param>
    /// <param name="prefetchFactor">Batches loaded ahead on a background thread; 0 loads each batch on the calling thread.</param>
    /// <exception cref="ArgumentOutOfRangeException">The prefetch factor is negative.</exception>
    public DataLoader(Dataset<T> dataset, Sampler<long[]> batchSampler, Func<IReadOnlyList<T>, TBatch> collate, int prefetchFactor = 2)
        : this(dataset, batchSampler, FetchThenCollate(dataset, collate), prefetchFactor)
    {
    }

    /// <summary>A loader with its own way to fetch a batch from its indices (the <see cref="TensorDataset"/> gather).</summary>
    internal DataLoader(Dataset<T> dataset, Sampler<long[]> batchSampler, Func<long[], TBatch> fetchBatch, int prefetchFactor)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(batchSampler);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchFactor);
        Dataset = dataset;
        BatchSampler = batchSampler;
        this.fetchBatch = fetchBatch;
        PrefetchFactor = prefetchFactor;
    }

    /// <summary>The data set the samples come from.</summary>
    public Dataset<T> Dataset { get; }

    /// <summary>The batches of sample indices of each epoch.</summary>
    public Sampler<long[]> BatchSampler { get; }

    /// <summary>Batches loaded ahead on a background thread (0: none, batches are loaded on the calling thread).</summary>
    public int PrefetchFactor { get; }

    /// <summary>The number of batches per epoch (<c>len(loader)</c>).</summary>
    public long Count => BatchSampler.Count;

    /// <summary>
    /// Starts an epoch. The sampler draws its random order now, on the calling thread; with prefetching, loading
    /// starts at once in the background. Dispose the enumerator (<c>foreach</c> does) to stop loading early.
    /// </summary>
    public IEnumerator<TBatch> GetEnumerator()
    {
        var batches = Load(BatchSampler.GetEnumerator(), fetchBatch);
        return PrefetchFactor == 0 ? batches : new PrefetchingEnumerator<TBatch>(batches, PrefetchFactor);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The batches of an epoch whose index batches are already started; each is fetched when the enumeration reaches it.</summary>
    private static IEnumerator<TBatch> Load(IEnumerator<long[]> indexBatches, Func<long[], TBatch> fetch)
    {
        using (indexBatches)
        {
            while (indexBatches.MoveNext()) yield return fetch(indexBatches.Current);
        }
    }

    /// <summary>The batch sampler for the loader's batchSize, shuffle, dropLast and sampler arguments, checked as PyTorch does.</summary>
    internal static BatchSampler BatchesOf(Dataset<T> dataset, int batchSize, bool shuffle, bool dropLast, Generator? generator, Sampler<long>? sampler)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (sampler is not null && shuffle)
            throw new ArgumentException("DataLoader: sampler option is mutually exclusive with shuffle", nameof(sampler));
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"DataLoader: batchSize should be a positive integer, got {batchSize}");
        sampler ??= shuffle ? new RandomSampler(dataset.Count, generator: generator) : new SequentialSampler(dataset.Count);
        return new BatchSampler(sampler, batchSize, dropLast);
    }

    private static Func<long[], TBatch> FetchThenCollate(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collate);
        return indices =>
        {
            var samples = new T[indices.Length];
            for (int i = 0; i < samples.Length; i++) samples[i] = dataset[indices[i]];
            return collate(samples);
        };
    }
}
