namespace Kiln.Data;

/// <summary>The samples of another data set at given positions, in the given order (<c>torch.utils.data.Subset</c>).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class Subset<T> : Dataset<T>
{
    private readonly long[] indices;

    /// <summary>The samples of <paramref name="dataset"/> at <paramref name="indices"/> (checked to be in range now).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, dataset.Count).</exception>
    public Subset(Dataset<T> dataset, IEnumerable<long> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        Dataset = dataset;
        this.indices = indices.ToArray();
        long count = dataset.Count;
        for (int i = 0; i < this.indices.Length; i++)
        {
            if ((ulong)this.indices[i] >= (ulong)count)
                throw new ArgumentOutOfRangeException(nameof(indices), this.indices[i], $"Subset: index {this.indices[i]} (position {i}) is out of range for a data set of {count} samples");
        }
    }

    /// <summary>The data set the samples come from.</summary>
    public Dataset<T> Dataset { get; }

    /// <summary>The positions in <see cref="Dataset"/> of this subset's samples.</summary>
    public IReadOnlyList<long> Indices => indices;

    /// <inheritdoc/>
    public override long Count => indices.Length;

    /// <summary>The sample at <c>Indices[index]</c> of the underlying data set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    public override T this[long index]
    {
        get
        {
            CheckIndex(index);
            return Dataset[indices[index]];
        }
    }

    /// <summary>The positions in <see cref="Dataset"/> of the samples at <paramref name="positions"/> of this subset.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A position is outside [0, <see cref="Count"/>).</exception>
    internal long[] MapIndices(long[] positions)
    {
        var mapped = new long[positions.Length];
        for (int i = 0; i < mapped.Length; i++)
        {
            CheckIndex(positions[i]);
            mapped[i] = indices[positions[i]];
        }
        return mapped;
    }
}
