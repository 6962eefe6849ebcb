namespace Kiln.Data;

/// <summary>Data sets one after another: the samples of the first, then of the second, and so on (<c>torch.utils.data.ConcatDataset</c>).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class ConcatDataset<T> : Dataset<T>
{
    private readonly Dataset<T>[] datasets;
    // cumulativeSizes[i] = samples in datasets[0..i], so dataset i holds global indices [cumulativeSizes[i-1], cumulativeSizes[i]).
    private readonly long[] cumulativeSizes;

    /// <summary>The concatenation of <paramref name="datasets"/> (their sizes are read now).</summary>
    /// <exception cref="ArgumentException">No data set is given.</exception>
    public ConcatDataset(IEnumerable<Dataset<T>> datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        this.datasets = datasets.ToArray();
        if (this.datasets.Length == 0) throw new ArgumentException("ConcatDataset: expects at least one data set", nameof(datasets));
        cumulativeSizes = new long[this.datasets.Length];
        long total = 0;
        for (int i = 0; i < this.datasets.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(this.datasets[i], $"{nameof(datasets)}[{i}]");
            total += this.datasets[i].Count;
            cumulativeSizes[i] = total;
        }
    }

    /// <summary>The concatenated data sets, in order.</summary>
    public IReadOnlyList<Dataset<T>> Datasets => datasets;

    /// <inheritdoc/>
    public override long Count => cumulativeSizes[^1];

    /// <summary>The sample at global position <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    public override T this[long index]
    {
        get
        {
            CheckIndex(index);
            // The first data set whose cumulative size exceeds the index holds it (empty data sets are skipped).
            int found = Array.BinarySearch(cumulativeSizes, index);
            int which = found >= 0 ? found + 1 : ~found;
            while (cumulativeSizes[which] == index) which++;
            long start = which == 0 ? 0 : cumulativeSizes[which - 1];
            return datasets[which][index - start];
        }
    }
}
