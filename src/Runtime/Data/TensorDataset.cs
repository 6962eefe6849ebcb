namespace Kiln.Data;

/// <summary>
/// A data set over tensors that share their first dim: sample <c>i</c> is the i-th slice of each tensor
/// (<c>torch.utils.data.TensorDataset</c>). Samples are views into the tensors, not copies; a
/// <see cref="DataLoader{T, TBatch}"/> with the default collate gathers a whole batch per tensor with one
/// <see cref="Tensor.IndexSelect"/> instead of stacking sample views.
/// </summary>
public sealed class TensorDataset : Dataset<Tensor[]>
{
    private readonly Tensor[] tensors;

    /// <summary>A data set whose samples are the slices along dim 0 of <paramref name="tensors"/>.</summary>
    /// <exception cref="ArgumentException">No tensor is given, a tensor is 0-d, or the tensors' first dims differ.</exception>
    public TensorDataset(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("TensorDataset: expects at least one tensor", nameof(tensors));
        for (int i = 0; i < tensors.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(tensors[i], $"{nameof(tensors)}[{i}]");
            if (tensors[i].Dim == 0)
                throw new ArgumentException($"TensorDataset: tensor {i} is 0-d; every tensor needs a first dim to index samples by", nameof(tensors));
        }
        if (tensors.Any(t => t.Size(0) != tensors[0].Size(0)))
        {
            string sizes = string.Join(", ", tensors.Select(t => Shapes.Format(t.Shape)));
            throw new ArgumentException($"TensorDataset: size mismatch between tensors: every tensor must have the same size in dim 0, got shapes {sizes}", nameof(tensors));
        }
        this.tensors = (Tensor[])tensors.Clone();
    }

    /// <summary>The tensors, in the order given.</summary>
    public IReadOnlyList<Tensor> Tensors => tensors;

    /// <inheritdoc/>
    public override long Count => tensors[0].Size(0);

    /// <summary>The <paramref name="index"/>-th slice along dim 0 of each tensor (views).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    public override Tensor[] this[long index]
    {
        get
        {
            CheckIndex(index);
            var sample = new Tensor[tensors.Length];
            for (int i = 0; i < sample.Length; i++) sample[i] = tensors[i].Select(0, index);
            return sample;
        }
    }

    /// <summary>
    /// A function that gathers whole batches of <paramref name="dataset"/>'s samples with <see cref="Tensor.IndexSelect"/>,
    /// when it is a tensor data set or a subset (of a subset …) of one; null otherwise.
    /// </summary>
    internal static Func<long[], Tensor[]>? RowGatherer(Dataset<Tensor[]> dataset) => dataset switch
    {
        TensorDataset tensors => tensors.GatherRows,
        Subset<Tensor[]> subset when RowGatherer(subset.Dataset) is { } gather => indices => gather(subset.MapIndices(indices)),
        _ => null,
    };

    /// <summary>The samples at <paramref name="indices"/> gathered per tensor into one batch tensor each (rows in index order).</summary>
    internal Tensor[] GatherRows(long[] indices)
    {
        var index = Tensor.FromArray(indices);
        var batch = new Tensor[tensors.Length];
        for (int i = 0; i < batch.Length; i++) batch[i] = tensors[i].IndexSelect(0, index);
        return batch;
    }
}
