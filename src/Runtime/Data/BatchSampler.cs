namespace Kiln.Data;

/// <summary>Groups the indices of another sampler into batches (<c>torch.utils.data.BatchSampler</c>).</summary>
public sealed class BatchSampler : Sampler<long[]>
{
    private readonly Sampler<long> sampler;
    private readonly int batchSize;
    private readonly bool dropLast;

    /// <summary>Batches of <paramref name="batchSize"/> indices from <paramref name="sampler"/>.</summary>
    /// <param name="sampler">The order of the indices.</param>
    /// <param name="batchSize">Indices per batch.</param>
    /// <param name="dropLast">Drop the last batch when it is short; otherwise it is yielded with fewer indices.</param>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    public BatchSampler(Sampler<long> sampler, int batchSize, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"BatchSampler: batchSize should be a positive integer, got {batchSize}");
        this.sampler = sampler;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
    }

    /// <summary>The number of batches per epoch: the indices divided by the batch size, rounded down with dropLast and up without.</summary>
    public override long Count => dropLast ? sampler.Count / batchSize : (sampler.Count + batchSize - 1) / batchSize;

    /// <summary>Starts an epoch: the underlying sampler starts now (drawing its random numbers), the batches follow lazily.</summary>
    public override IEnumerator<long[]> GetEnumerator() => Batches(sampler.GetEnumerator());

    private IEnumerator<long[]> Batches(IEnumerator<long> indices)
    {
        using (indices)
        {
            var batch = new long[batchSize];
            int filled = 0;
            while (indices.MoveNext())
            {
                batch[filled++] = indices.Current;
                if (filled < batchSize) continue;
                yield return batch;
                batch = new long[batchSize];
                filled = 0;
            }
            if (filled > 0 && !dropLast) yield return batch[..filled];
        }
    }
}
