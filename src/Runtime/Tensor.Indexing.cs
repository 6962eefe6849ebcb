using System.Runtime.CompilerServices;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The view picked by a C# index, PyTorch's basic indexing: <c>t[0]</c>, <c>t[^1]</c>, <c>t[.., 1..3]</c>,
    /// <c>t[0, .., 2]</c>, <c>t[TensorIndex.Ellipsis, 0]</c>, <c>t[TensorIndex.NewAxis]</c>,
    /// <c>t[TensorIndex.Slice(null, null, 2)]</c>. The result shares storage with this tensor and, under autograd,
    /// records the select, slice and unsqueeze views it is made of. Setting copies the value (broadcast to the view's
    /// shape and converted to this dtype) into the view; under autograd that is recorded as the matching scatters.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    /// <exception cref="ArgumentException">More dims are indexed than the tensor has, or there are two ellipses.</exception>
    /// <exception cref="InvalidOperationException">Setting into a leaf that requires grad while grad mode is on.</exception>
    [IndexerName("Subscript")] // the default name, Item, is taken by Item<T>()
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices, null);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (InPlaceGrad.IsNeeded(this, value))
            {
                InPlaceGrad.Run(this, "index assignment (t[...] = value)", () => IndexAssigned(indices, value));
                return;
            }
            Index(indices, null).Copy_(value);
        }
    }

    /// <summary>One step from a tensor to the view an index picks: the tensor it starts from and the entry applied at <paramref name="Dim"/>.</summary>
    private readonly record struct IndexStep(Tensor Parent, TensorIndex.Kind Kind, int Dim, long Start, long Stop, long Step);

    /// <summary>The view <paramref name="indices"/> pick; each step taken is added to <paramref name="steps"/> when given.</summary>
    private Tensor Index(TensorIndex[] indices, List<IndexStep>? steps)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int consumed = indices.Count(i => i.ConsumesDim);
        int ellipses = indices.Count(i => i.IndexKind == TensorIndex.Kind.Ellipsis);
        if (ellipses > 1)
            throw new ArgumentException($"index: an index can have only one ellipsis, got {Describe(indices)}", nameof(indices));
        if (consumed > Dim)
            throw new ArgumentException($"index: too many indices for a tensor of rank {Dim} (shape {Shapes.Format(shape)}): {Describe(indices)} indexes {consumed} dims", nameof(indices));
        // Under autograd the steps start from this tensor itself, so each recorded view links back to it.
        var result = GradRecorder.IsNeeded(this) ? this : AsStrided(shape, strides, offset);
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
                    steps?.Add(new IndexStep(result, TensorIndex.Kind.Position, dim, position, 0, 1));
                    result = result.Select(dim, position);
                    source++;
                    break;
                case TensorIndex.Kind.Slice:
                    var (start, stop) = index.ResolveSlice(result.shape[dim]);
                    steps?.Add(new IndexStep(result, TensorIndex.Kind.Slice, dim, start, stop, index.Step));
                    result = result.Slice(dim, start, stop, index.Step);
                    dim++;
                    source++;
                    break;
                case TensorIndex.Kind.Ellipsis:
                    dim += Dim - consumed;
                    source += Dim - consumed;
                    break;
                default:
                    steps?.Add(new IndexStep(result, TensorIndex.Kind.NewAxis, dim, 0, 0, 1));
                    result = result.Unsqueeze(dim);
                    dim++;
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// The out-of-place form of <c>this[indices] = value</c>, built from recorded ops so gradients flow to both: the value
    /// broadcast to the indexed part, then written back through each step with the scatter that undoes its view.
    /// </summary>
    private Tensor IndexAssigned(TensorIndex[] indices, Tensor value)
    {
        var steps = new List<IndexStep>();
        var part = Index(indices, steps);
        var written = value.To(DType).Expand(part.shape);
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            var (parent, kind, dim, start, stop, step) = steps[i];
            written = kind switch
            {
                TensorIndex.Kind.Position => parent.SelectScatter(written, dim, start),
                TensorIndex.Kind.Slice => parent.SliceScatter(written, dim, start, stop, step),
                _ => written.Squeeze(dim),
            };
        }
        return steps.Count == 0 ? written.Clone() : written;
    }

    private static string Describe(TensorIndex[] indices) => "[" + string.Join(", ", indices) + "]";
}
