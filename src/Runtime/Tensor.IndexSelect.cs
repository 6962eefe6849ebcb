using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The slices of this tensor along <paramref name="dim"/> at the positions of <paramref name="index"/>, in
    /// its order (<c>torch.index_select</c>). The index is a 0-d or 1-d int32 or int64 tensor; the result has
    /// this shape with dim <paramref name="dim"/> as long as the index. A contiguous tensor is copied slice by slice.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, or the index's dtype or rank, is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim) (negative indices are not allowed, as in PyTorch).</exception>
    public Tensor IndexSelect(long dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var resultShape = IndexingRules.IndexSelectShape(Calls.Of("index_select", IndexingOps.IndexSelect, this, index), shape, dim, index.shape, index.DType);
        int d = Shapes.WrapDim("index_select", dim, Dim);
        var src = AtLeast1D(this);
        var checkedIndex = IndexValues.Checked("index_select", AtLeast1D(index), src.shape[d], d, allowNegative: false);
        var kernelShape = src.Shape;
        kernelShape[d] = checkedIndex.numel;
        var result = IndexSelectKernel.Run(src, d, checkedIndex, kernelShape).View(resultShape);
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "index_select", this, index, DimAttrs(dim)) : result;
    }

    /// <summary>
    /// A copy of this tensor with <c>alpha · source</c>'s slices added to the slices at the positions of
    /// <paramref name="index"/> along <paramref name="dim"/> (<c>torch.index_add</c>); repeated positions add up, in
    /// index order. The index is a 0-d or 1-d int32 or int64 tensor as long as source's dim; source has this
    /// dtype and this shape apart from that dim. For integer tensors alpha is truncated (bool: nonzero), as PyTorch converts it.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, a dtype, the index's rank or a shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor IndexAdd(long dim, Tensor index, Tensor source, double alpha = 1) =>
        Recorded("index_add", [this, index, source], () => new() { { "dim", dim }, { "alpha", alpha } }, () => IndexAddInto("index_add", Copy(), dim, index, source, alpha));

    /// <summary>In-place <see cref="IndexAdd"/> (<c>index_add_</c>). The index is checked before anything is written.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dim, a dtype, the index's rank or a shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor IndexAdd_(long dim, Tensor index, Tensor source, double alpha = 1) =>
        InPlace("index_add_", [source], () => IndexAdd(dim, index, source, alpha), () => IndexAddInto("index_add_", this, dim, index, source, alpha));

    private Tensor IndexAddInto(string op, Tensor target, long dim, Tensor index, Tensor source, double alpha)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        var call = Calls.Of(op, IndexingOps.IndexAdd, this, index, source);
        IndexingRules.CheckSameDType(call, DType, source.DType, "source");
        IndexingRules.CheckIndexAdd(call, shape, dim, index.shape, index.DType, source.shape);
        int d = Shapes.WrapDim(op, dim, Dim);
        var t = AtLeast1D(target);
        var s = AtLeast1D(source);
        var checkedIndex = IndexValues.Checked(op, AtLeast1D(index), t.shape[d], d, allowNegative: false);
        // index_add is scatter_add with the index broadcast along every dim but dim.
        var broadcast = new long[s.Dim];
        broadcast[d] = 1;
        ScatterReduction.Add(t, d, checkedIndex.AsStrided(s.Shape, broadcast, checkedIndex.offset), s, alpha);
        return target;
    }
}
