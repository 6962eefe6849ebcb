namespace Kiln.Data;

/// <summary>The indices 0, 1, …, count-1 in order (<c>torch.utils.data.SequentialSampler</c>).</summary>
public sealed class SequentialSampler : Sampler<long>
{
    /// <summary>A sampler over <paramref name="count"/> samples.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative.</exception>
    public SequentialSampler(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
    }

    /// <inheritdoc/>
    public override long Count { get; }

    /// <inheritdoc/>
    public override IEnumerator<long> GetEnumerator()
    {
        for (long i = 0; i < Count; i++) yield return i;
    }
}
