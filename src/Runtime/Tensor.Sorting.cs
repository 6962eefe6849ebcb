using Kiln.IR.Ops;
using Kiln.Kernels.Movement;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The elements sorted along <paramref name="dim"/> and the int64 index each came from (<c>torch.sort</c>).
    /// NaN sorts as the largest value (last, or first when <paramref name="descending"/>). Kiln's sort is always
    /// stable: equal elements keep their order, which is what <paramref name="stable"/> asks for and what an
    /// unstable sort is allowed to do.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range.</exception>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false, bool stable = false)
    {
        var (values, indices) = SortUnrecorded(dim, descending);
        if (!GradRecorder.IsNeeded(this)) return (values, indices);
        GradRecorder.Track([values, indices], "sort", [this], new IR.Attrs { { "dim", dim }, { "descending", descending }, { "stable", stable } });
        return (values, indices);
    }

    private (Tensor Values, Tensor Indices) SortUnrecorded(long dim, bool descending)
    {
        int d = Shapes.WrapDim("sort", dim, Dim);
        return Dim == 0 ? (Copy(), Zeros([], DType.Int64)) : SortRows.Run(this, d, descending, shape[d]);
    }

    /// <summary>The int64 indices that sort the elements along <paramref name="dim"/> (<c>torch.argsort</c>); see <see cref="Sort"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range.</exception>
    public Tensor Argsort(long dim = -1, bool descending = false, bool stable = false)
    {
        Shapes.WrapDim("argsort", dim, Dim);
        return SortUnrecorded(dim, descending).Indices;
    }

    /// <summary>
    /// The <paramref name="k"/> largest (or, unless <paramref name="largest"/>, smallest) elements along <paramref name="dim"/>
    /// and their int64 indices (<c>torch.topk</c>). NaN counts as the largest value; equal elements come in index order.
    /// The result is sorted even when <paramref name="sorted"/> is false (PyTorch leaves that order open).
    /// </summary>
    /// <exception cref="ArgumentException">k is negative or larger than the dim, or the dtype is bool.</exception>
    public (Tensor Values, Tensor Indices) Topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        IR.TypeRules.CheckDType("topk", DType, MovementOps.NumericDTypes);
        MovementOps.TopkShape(shape, k, dim);
        var (values, indices) = Dim == 0 ? (Copy(), Zeros([], DType.Int64)) : SortRows.Run(this, Shapes.WrapDim("topk", dim, Dim), largest, k);
        if (GradRecorder.IsNeeded(this))
            GradRecorder.Track([values, indices], "topk", [this], new IR.Attrs { { "k", k }, { "dim", dim }, { "largest", largest }, { "sorted", sorted } });
        return (values, indices);
    }

    /// <summary>
    /// The distinct elements of the flattened tensor in ascending order (<c>torch.unique</c>); they are sorted also when
    /// <paramref name="sorted"/> is false (PyTorch leaves that order open). NaNs are all distinct; -0 equals 0.
    /// </summary>
    public Tensor Unique(bool sorted = true) => Unique(sorted, returnInverse: false).Output;

    /// <summary>
    /// The distinct elements (see <see cref="Unique(bool)"/>), with, when asked for, each element's int64 position among
    /// them (in this tensor's shape) and each distinct element's int64 count (<c>torch.unique</c>).
    /// </summary>
    public (Tensor Output, Tensor? InverseIndices, Tensor? Counts) Unique(bool sorted, bool returnInverse, bool returnCounts = false)
    {
        var (values, inverse, counts) = UniqueKernel.Run(this);
        return (values, returnInverse ? inverse : null, returnCounts ? counts : null);
    }

    /// <summary>
    /// For each element of <paramref name="input"/>, the index at which it would be inserted into its sorted sequence to
    /// keep it sorted (<c>torch.searchsorted</c>): before equal elements, or after them when <paramref name="right"/>.
    /// A 1-d <paramref name="sortedSequence"/> serves every value; an n-d one holds one sequence (its last dim) per row of
    /// values. The operands are compared in their promoted dtype; the result is int64, or int32 when <paramref name="outInt32"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, or both operands are bool.</exception>
    public static Tensor Searchsorted(Tensor sortedSequence, Tensor input, bool outInt32 = false, bool right = false)
    {
        ArgumentNullException.ThrowIfNull(sortedSequence);
        ArgumentNullException.ThrowIfNull(input);
        return Kernels.Movement.Searchsorted.Run(sortedSequence, input, right, outInt32);
    }
}
