using System.Runtime.CompilerServices;

namespace Kiln;

public sealed partial class Tensor
{
    /// <summary>
    /// The view picked by a C# index, PyTorch's basic indexing: <c>t[0]</c>, <c>t[^1]</c>, <c>t[.., 1..3]</c>,
    /// <c>t[0, .., 2]</c>, <c>t[TensorIndex.Ellipsis, 0]</c>, <c>t[TensorIndex.NewAxis]</c>,
    /// <c>t[TensorIndex.Slice(null, null, 2)]</c>. The result shares storage with this tensor. Setting copies
    /// the value (broadcast to the view's shape and converted to this dtype) into the view.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    /// <exception cref="ArgumentException">More dims are indexed than the tensor has, or there are two ellipses.</exception>
    [IndexerName("Subscript")] // the default name, Item, is taken by Item<T>()
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set => Index(indices).Copy_(value);
    }

    private Tensor Index(TensorIndex[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int consumed = indices.Count(i => i.ConsumesDim);
        int ellipses = indices.Count(i => i.IndexKind == TensorIndex.Kind.Ellipsis);
        if (ellipses > 1)
            throw new ArgumentException($"index: an index can have only one ellipsis, got {Describe(indices)}", nameof(indices));
        if (consumed > Dim)
            throw new ArgumentException($"index: too many indices for a tensor of rank {Dim} (shape {Shapes.Format(shape)}): {Describe(indices)} indexes {consumed} dims", nameof(indices));
        var result = AsStrided(shape, strides, offset);
        int dim = 0, source = 0;
        foreach (var index in indices)
        {
            switch (index.IndexKind)
            {
                case TensorIndex.Kind.Position:
                    long size = result.shape[dim];
                    long position = index.ResolvePosition(size);
                    if (position < 0)
                        throw new IndexOutOfRangeException($"index: index {index} is out of range for dim {source} with size {size} (shape {Shapes.Format(shape)})");
                    result = result.Select(dim, position);
                    source++;
                    break;
                case TensorIndex.Kind.Slice:
                    var (start, stop) = index.ResolveSlice(result.shape[dim]);
                    result = result.Slice(dim, start, stop, index.Step);
                    dim++;
                    source++;
                    break;
                case TensorIndex.Kind.Ellipsis:
                    dim += Dim - consumed;
                    source += Dim - consumed;
                    break;
                default:
                    result = result.Unsqueeze(dim);
                    dim++;
                    break;
            }
        }
        return result;
    }

    private static string Describe(TensorIndex[] indices) => "[" + string.Join(", ", indices) + "]";
}
