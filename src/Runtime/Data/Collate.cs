namespace Kiln.Data;

/// <summary>
/// Collate functions: they turn the list of samples of a batch into the batch (<c>default_collate</c>). The
/// default ones stack tensors along a new dim 0, position by position for samples made of several tensors.
/// </summary>
public static class Collate
{
    /// <summary>The samples stacked into one tensor with a new dim 0 of the batch size.</summary>
    /// <exception cref="ArgumentException">The batch is empty, or the samples' shapes or dtypes differ.</exception>
    public static Tensor Stack(IReadOnlyList<Tensor> samples)
    {
        CheckNotEmpty(samples);
        return Tensor.Stack(samples);
    }

    /// <summary>For each position of the samples' tensors, the samples' tensors there stacked along a new dim 0.</summary>
    /// <exception cref="ArgumentException">The batch is empty, the samples hold different numbers of tensors, or shapes differ at a position.</exception>
    public static Tensor[] Stack(IReadOnlyList<Tensor[]> samples)
    {
        CheckNotEmpty(samples);
        int width = samples[0].Length;
        for (int s = 1; s < samples.Count; s++)
        {
            if (samples[s].Length != width)
                throw new ArgumentException($"collate: each sample should hold the same number of tensors, but sample 0 holds {width} and sample {s} holds {samples[s].Length}", nameof(samples));
        }
        var batch = new Tensor[width];
        var column = new Tensor[samples.Count];
        for (int i = 0; i < width; i++)
        {
            for (int s = 0; s < column.Length; s++) column[s] = samples[s][i];
            batch[i] = Tensor.Stack(column);
        }
        return batch;
    }

    /// <summary>The first and the second tensors of the samples, each stacked along a new dim 0.</summary>
    /// <exception cref="ArgumentException">The batch is empty, or shapes differ.</exception>
    public static (Tensor, Tensor) Stack(IReadOnlyList<(Tensor, Tensor)> samples)
    {
        CheckNotEmpty(samples);
        var first = new Tensor[samples.Count];
        var second = new Tensor[samples.Count];
        for (int s = 0; s < first.Length; s++) (first[s], second[s]) = samples[s];
        return (Tensor.Stack(first), Tensor.Stack(second));
    }

    /// <summary>
    /// The default collate for samples of type <typeparamref name="T"/> (Tensor, Tensor[] or (Tensor, Tensor)): one of
    /// the <see cref="Stack(IReadOnlyList{Tensor})"/> overloads.
    /// </summary>
    /// <exception cref="NotSupportedException">There is no default collate for <typeparamref name="T"/>.</exception>
    public static Func<IReadOnlyList<T>, T> Default<T>()
    {
        object collate = typeof(T) == typeof(Tensor) ? (Func<IReadOnlyList<Tensor>, Tensor>)Stack
            : typeof(T) == typeof(Tensor[]) ? (Func<IReadOnlyList<Tensor[]>, Tensor[]>)Stack
            : typeof(T) == typeof((Tensor, Tensor)) ? (Func<IReadOnlyList<(Tensor, Tensor)>, (Tensor, Tensor)>)Stack
            : throw new NotSupportedException($"collate: there is no default collate for samples of type {typeof(T).Name}; " +
                "the default stacks Tensor, Tensor[] and (Tensor, Tensor) samples, so pass a collate function for other types");
        return (Func<IReadOnlyList<T>, T>)collate;
    }

    private static void CheckNotEmpty<T>(IReadOnlyList<T> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("collate: a batch needs at least one sample", nameof(samples));
    }
}
