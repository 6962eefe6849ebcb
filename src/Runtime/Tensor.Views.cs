using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels;

namespace Kiln;

// The view methods (tensor.view, reshape, transpose, permute, squeeze, expand, narrow, select ...). Each public
// method records its registry op when autograd needs it; the *Untracked forms compute the view alone and serve the
// CPU kernel table, which the dispatcher records itself.
public partial class Tensor
{
    /// <summary>A view of the same storage with another shape, strides and offset.</summary>
    internal Tensor AsStrided(long[] newShape, long[] newStrides, long newOffset) => new(storage, DType, newShape, newStrides, newOffset);

    /// <summary>
    /// A view with shape <paramref name="newShape"/> (one dim may be -1, inferred). Fails when the
    /// strides do not allow a view; <see cref="Reshape"/> copies instead.
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not match the element count.</exception>
    /// <exception cref="InvalidOperationException">The layout does not allow this view.</exception>
    public Tensor View(params long[] newShape)
    {
        var target = ViewOps.InferSize("view", newShape, numel, shape);
        var newStrides = ViewStrides(target) ?? throw new InvalidOperationException(
            $"view: a tensor of shape {Shapes.Format(shape)} with strides {Shapes.Format(strides)} cannot be viewed as {Shapes.Format(target)}: its elements are not laid out compatibly; use Reshape (which copies) or Contiguous() first");
        var result = AsStrided(target, newStrides, offset);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "reshape", new Attrs { { "shape", newShape } }) : result;
    }

    /// <summary>This tensor with shape <paramref name="newShape"/> (one dim may be -1): a view when the layout allows, else a copy.</summary>
    /// <exception cref="ArgumentException">The shape does not match the element count.</exception>
    public Tensor Reshape(params long[] newShape)
    {
        var result = ReshapeUntracked(newShape);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "reshape", new Attrs { { "shape", newShape } }) : result;
    }

    internal Tensor ReshapeUntracked(long[] newShape)
    {
        var target = ViewOps.InferSize("reshape", newShape, numel, shape);
        var newStrides = ViewStrides(target);
        return newStrides is null ? CloneUntracked().AsStrided(target, Shapes.ContiguousStrides(target), 0) : AsStrided(target, newStrides, offset);
    }

    /// <summary>This tensor with dims <paramref name="startDim"/>..<paramref name="endDim"/> merged into one (a view when possible).</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1)
    {
        if (Dim == 0) return Reshape(1);
        int s = Shapes.WrapDim("flatten", startDim, Dim), e = Shapes.WrapDim("flatten", endDim, Dim);
        if (s > e) throw new ArgumentException($"flatten: startDim {startDim} comes after endDim {endDim} for a tensor of rank {Dim}");
        var target = new List<long>(shape[..s]) { Shapes.Numel(shape.AsSpan(s, e - s + 1)) };
        target.AddRange(shape[(e + 1)..]);
        // The leading (batch) dim is left for reshape to infer, so a graph captured from this call serves any batch size.
        if (s > 0 && numel > 0) target[0] = -1;
        return Reshape([.. target]);
    }

    /// <summary>Dim <paramref name="dim"/> split into <paramref name="sizes"/> (a view when possible).</summary>
    public Tensor Unflatten(long dim, params long[] sizes)
    {
        int d = Shapes.WrapDim("unflatten", dim, Dim);
        var inner = ViewOps.InferSize("unflatten", sizes, shape[d], shape);
        return Reshape([.. shape[..d], .. inner, .. shape[(d + 1)..]]);
    }

    /// <summary>A view with dims <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public Tensor Transpose(long dim0, long dim1)
    {
        var result = TransposeUntracked(dim0, dim1);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "transpose", new Attrs { { "dim0", dim0 }, { "dim1", dim1 } }) : result;
    }

    internal Tensor TransposeUntracked(long dim0, long dim1)
    {
        int a = Shapes.WrapDim("transpose", dim0, Dim), b = Shapes.WrapDim("transpose", dim1, Dim);
        var s = (long[])shape.Clone();
        var st = (long[])strides.Clone();
        if (Dim > 0)
        {
            (s[a], s[b]) = (s[b], s[a]);
            (st[a], st[b]) = (st[b], st[a]);
        }
        return AsStrided(s, st, offset);
    }

    /// <summary>The transpose of a tensor of rank ≤ 2 (<c>tensor.T</c>; PyTorch reverses the dims of higher ranks, use <see cref="Permute"/> there).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than 2 dims.</exception>
    public Tensor T => Dim <= 2 ? (Dim < 2 ? this : Transpose(0, 1))
        : throw new InvalidOperationException($"T: expects a tensor of rank ≤ 2, got rank {Dim}; use Permute or Transpose(-2, -1) (mT)");

    /// <summary>The transpose of the last two dims (<c>tensor.mT</c>).</summary>
    public Tensor MT => Dim >= 2 ? Transpose(-2, -1) : throw new InvalidOperationException($"mT: expects a tensor of rank ≥ 2, got rank {Dim}");

    /// <summary>A view with the dims reordered: dim i of the result is dim <c>dims[i]</c> of this tensor.</summary>
    /// <exception cref="ArgumentException">The dims are not a permutation of this tensor's dims.</exception>
    public Tensor Permute(params long[] dims)
    {
        var result = PermuteUntracked(dims);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "permute", new Attrs { { "dims", dims } }) : result;
    }

    internal Tensor PermuteUntracked(long[] dims)
    {
        Span<int> order = dims.Length <= 16 ? stackalloc int[dims.Length] : new int[dims.Length];
        ViewOps.PermuteDims("permute", dims, shape, order);
        var s = new long[order.Length];
        var st = new long[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            s[i] = shape[order[i]];
            st[i] = strides[order[i]];
        }
        return AsStrided(s, st, offset);
    }

    /// <summary>A view without the size-1 dims (all of them, or those among <paramref name="dims"/>).</summary>
    public Tensor Squeeze(params long[] dims)
    {
        var result = SqueezeUntracked(dims);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "squeeze", new Attrs { { "dim", dims } }) : result;
    }

    internal Tensor SqueezeUntracked(long[] dims)
    {
        var removed = ViewOps.SqueezedDims("squeeze", dims, shape);
        var s = new List<long>(Dim);
        var st = new List<long>(Dim);
        for (int i = 0; i < Dim; i++)
        {
            if (removed[i]) continue;
            s.Add(shape[i]);
            st.Add(strides[i]);
        }
        return AsStrided([.. s], [.. st], offset);
    }

    /// <summary>A view with a size-1 dim inserted at <paramref name="dim"/> (which may be -1 to append).</summary>
    public Tensor Unsqueeze(long dim)
    {
        var result = UnsqueezeUntracked(dim);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "unsqueeze", new Attrs { { "dim", dim } }) : result;
    }

    internal Tensor UnsqueezeUntracked(long dim)
    {
        int d = Shapes.WrapDim("unsqueeze", dim, Dim + 1);
        long stride = d < Dim ? shape[d] * strides[d] : 1;
        return AsStrided([.. shape[..d], 1, .. shape[d..]], [.. strides[..d], stride, .. strides[d..]], offset);
    }

    /// <summary>
    /// A view broadcast to <paramref name="sizes"/> without copying (size-1 dims get stride 0; -1 keeps a size).
    /// Writing to an expanded view writes one element many times, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">The shape cannot be reached by broadcasting.</exception>
    public Tensor Expand(params long[] sizes)
    {
        var result = ExpandUntracked(sizes);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "expand", new Attrs { { "size", sizes } }) : result;
    }

    internal Tensor ExpandUntracked(long[] sizes)
    {
        var s = ViewOps.ExpandShape("expand", shape, sizes);
        int shift = s.Length - Dim;
        var st = new long[s.Length];
        for (int i = shift; i < s.Length; i++)
            st[i] = s[i] == shape[i - shift] ? strides[i - shift] : 0;
        return AsStrided(s, st, offset);
    }

    /// <summary>A view broadcast to the shape of <paramref name="other"/>.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.shape);

    /// <summary>A view of <paramref name="length"/> elements of dim <paramref name="dim"/> starting at <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not fit in the dim.</exception>
    public Tensor Narrow(long dim, long start, long length)
    {
        if (Dim == 0) throw new ArgumentException("narrow: cannot narrow a 0-d tensor");
        int d = Shapes.WrapDim("narrow", dim, Dim);
        if (start < 0) start += shape[d];
        if (start < 0 || length < 0 || start + length > shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: start {start} with length {length} does not fit in dim {d} of size {shape[d]}");
        var result = SliceView(d, start, length, 1);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "slice", new Attrs { { "dim", (long)d }, { "start", start }, { "end", start + length } }) : result;
    }

    /// <summary>The slice <c>[start, end)</c> with <paramref name="step"/> along <paramref name="dim"/>, Python-style: negative bounds count from the end and are clamped.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is not positive.</exception>
    public Tensor Slice(long dim, long? start = null, long? end = null, long step = 1)
    {
        var result = SliceUntracked(dim, start, end, step);
        if (!GradRecorder.IsNeeded(this)) return result;
        var attrs = new Attrs { { "dim", dim }, { "step", step } };
        if (start is not null) attrs.Add("start", start.Value);
        if (end is not null) attrs.Add("end", end.Value);
        return Recorded(result, "slice", attrs);
    }

    internal Tensor SliceUntracked(long dim, long? start, long? end, long step, string op = "slice")
    {
        var (d, s, length) = ViewOps.SliceRange(op, shape, dim, start, end, step);
        return SliceView(d, s, length, step);
    }

    private Tensor SliceView(int d, long start, long length, long step)
    {
        var s = (long[])shape.Clone();
        var st = (long[])strides.Clone();
        s[d] = length;
        st[d] = strides[d] * step;
        return Part(s, st, start * strides[d]);
    }

    /// <summary>The view at <paramref name="index"/> along <paramref name="dim"/>, with that dim removed (<c>tensor.select</c>).</summary>
    /// <exception cref="IndexOutOfRangeException">The index is outside the dim.</exception>
    public Tensor Select(long dim, long index)
    {
        int d = ViewOps.SelectDim("select", shape, dim);
        long i = ViewOps.SelectPosition(index, shape[d]);
        if (i < 0) throw new IndexOutOfRangeException(ViewOps.SelectIndexMessage("select", shape, d, index));
        var result = SelectView(d, i);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "select", new Attrs { { "dim", dim }, { "index", index } }) : result;
    }

    internal Tensor SelectUntracked(long dim, long index, string op = "select")
    {
        var (d, i) = ViewOps.SelectChecked(op, shape, dim, index);
        return SelectView(d, i);
    }

    private Tensor SelectView(int d, long i) => Part(ViewOps.Without(shape, d), ViewOps.Without(strides, d), i * strides[d]);

    /// <summary>
    /// The view of the diagonal <paramref name="offset"/> above (below when negative) the main one of the matrices
    /// spanned by dims <paramref name="dim1"/> and <paramref name="dim2"/>; those dims are removed and the diagonal is the last dim (<c>torch.diagonal</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dims, or the dims are equal or out of range.</exception>
    public Tensor Diagonal(long offset = 0, long dim1 = 0, long dim2 = 1)
    {
        var result = DiagonalUntracked(offset, dim1, dim2);
        return GradRecorder.IsNeeded(this) ? Recorded(result, "diagonal", new Attrs { { "offset", offset }, { "dim1", dim1 }, { "dim2", dim2 } }) : result;
    }

    internal Tensor DiagonalUntracked(long offset, long dim1, long dim2, string op = "diagonal")
    {
        var (a, b, length) = ViewOps.DiagonalRange(op, shape, offset, dim1, dim2);
        var s = new List<long>(Dim - 1);
        var st = new List<long>(Dim - 1);
        for (int i = 0; i < Dim; i++)
        {
            if (i == a || i == b) continue;
            s.Add(shape[i]);
            st.Add(strides[i]);
        }
        s.Add(length);
        st.Add(strides[a] + strides[b]);
        return Part([.. s], [.. st], offset >= 0 ? offset * strides[b] : -offset * strides[a]);
    }

    /// <summary>A copy of this tensor with <paramref name="src"/> written into the slice <c>[start, end)</c> with <paramref name="step"/> along <paramref name="dim"/> (<c>torch.slice_scatter</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="src"/> does not have the slice's shape, or the slice is invalid.</exception>
    public Tensor SliceScatter(Tensor src, long dim = 0, long? start = null, long? end = null, long step = 1)
    {
        ArgumentNullException.ThrowIfNull(src);
        var result = ScatterInto(src, "slice_scatter", copy => copy.SliceUntracked(dim, start, end, step, "slice_scatter"), ViewOps.DescribeSlice(dim, start, end, step));
        if (!GradRecorder.IsNeeded(this, src)) return result;
        var attrs = new Attrs { { "dim", dim }, { "step", step } };
        if (start is not null) attrs.Add("start", start.Value);
        if (end is not null) attrs.Add("end", end.Value);
        return GradRecorder.Record("slice_scatter", attrs, [this, src], [result])[0];
    }

    /// <summary>A copy of this tensor with <paramref name="src"/> written at <paramref name="index"/> along <paramref name="dim"/> (<c>torch.select_scatter</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="src"/> does not have the selected part's shape, or the index is out of range.</exception>
    public Tensor SelectScatter(Tensor src, long dim, long index)
    {
        ArgumentNullException.ThrowIfNull(src);
        var result = ScatterInto(src, "select_scatter", copy => copy.SelectUntracked(dim, index, "select_scatter"), ViewOps.DescribeSelect(dim, index));
        return GradRecorder.IsNeeded(this, src)
            ? GradRecorder.Record("select_scatter", new Attrs { { "dim", dim }, { "index", index } }, [this, src], [result])[0]
            : result;
    }

    /// <summary>A copy of this tensor with <paramref name="src"/> written onto the diagonal that <see cref="Diagonal"/> picks (<c>torch.diagonal_scatter</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="src"/> does not have the diagonal's shape, or the dims are invalid.</exception>
    public Tensor DiagonalScatter(Tensor src, long offset = 0, long dim1 = 0, long dim2 = 1)
    {
        ArgumentNullException.ThrowIfNull(src);
        var result = ScatterInto(src, "diagonal_scatter", copy => copy.DiagonalUntracked(offset, dim1, dim2, "diagonal_scatter"), ViewOps.DescribeDiagonal(offset, dim1, dim2));
        return GradRecorder.IsNeeded(this, src)
            ? GradRecorder.Record("diagonal_scatter", new Attrs { { "offset", offset }, { "dim1", dim1 }, { "dim2", dim2 } }, [this, src], [result])[0]
            : result;
    }

    /// <summary>
    /// A contiguous copy of this tensor with <paramref name="src"/> (converted to this dtype) copied into the part
    /// <paramref name="part"/> views (<paramref name="description"/> names it in errors).
    /// </summary>
    internal Tensor ScatterInto(Tensor src, string op, Func<Tensor, Tensor> part, string description)
    {
        var result = CloneUntracked();
        var target = part(result);
        ViewOps.CheckScatterSource(op, shape, target.shape, src.shape, description);
        CopyKernel.Copy(src.DType == DType ? src : src.To(DType), target);
        return result;
    }

    /// <summary>This tensor if it is contiguous, else a contiguous copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A contiguous copy with its own storage.</summary>
    public Tensor Clone()
    {
        var result = CloneUntracked();
        return GradRecorder.IsNeeded(this) ? Recorded(result, "clone", Attrs.Empty) : result;
    }

    internal Tensor CloneUntracked()
    {
        var result = Empty(DType, (long[])shape.Clone());
        CopyKernel.Copy(this, result);
        return result;
    }

    /// <summary>
    /// A view of part of this tensor starting <paramref name="start"/> elements in; an empty part keeps this offset,
    /// since its start may lie past the end of the storage.
    /// </summary>
    private Tensor Part(long[] newShape, long[] newStrides, long start) =>
        AsStrided(newShape, newStrides, Shapes.Numel(newShape) == 0 ? offset : offset + start);

    /// <summary>Records <paramref name="result"/> as computed from this tensor by <paramref name="op"/>.</summary>
    private Tensor Recorded(Tensor result, string op, Attrs attrs) => GradRecorder.Record(op, attrs, [this], [result])[0];

    /// <summary>Strides that view this tensor's storage as <paramref name="target"/>, or null if impossible (PyTorch's computeStride).</summary>
    private long[]? ViewStrides(long[] target)
    {
        if (numel == 0 || IsContiguous) return Shapes.ContiguousStrides(target);
        var result = new long[target.Length];
        int viewD = target.Length - 1;
        long chunkBase = strides.Length > 0 ? strides[^1] : 1;
        long tensorNumel = 1, viewNumel = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1))
                {
                    result[viewD] = viewNumel * chunkBase;
                    viewNumel *= target[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0)
                {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? result : null;
    }
}
