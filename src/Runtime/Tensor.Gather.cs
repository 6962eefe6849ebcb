using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The values along <paramref name="dim"/> at the positions <paramref name="index"/> gives
    /// (<c>torch.gather</c>): for dim 0, <c>out[i][j] = self[index[i][j]][j]</c>. The index is int64 with as
    /// many dims as self, no larger than self in the other dims; the result has its shape.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, the index's dtype, rank or shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim) (negative indices are not allowed, as in PyTorch).</exception>
    public Tensor Gather(long dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var resultShape = IndexingRules.GatherShape(Calls.Of("gather", IndexingOps.Gather, this, index), shape, dim, index.shape, index.DType);
        int d = Shapes.WrapDim("gather", dim, Dim);
        var src = AtLeast1D(this);
        var checkedIndex = IndexValues.Checked("gather", AtLeast1D(index), src.shape[d], d, allowNegative: false);
        var result = Empty(DType, checkedIndex.shape);
        GatherKernel.Run(src, d, checkedIndex, result);
        var view = result.View(resultShape);
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(view, "gather", this, index, DimAttrs(dim)) : view;
    }

    /// <summary>
    /// A copy of this tensor with <c>src</c>'s values written where <paramref name="index"/> points along
    /// <paramref name="dim"/> (<c>torch.scatter</c>): for dim 0, <c>out[index[i][j]][j] = src[i][j]</c>. The index
    /// is int64 with as many dims as self, no larger than src, nor than self apart from dim; src has this dtype.
    /// Where an index repeats, which value is written is unspecified (as in PyTorch).
    /// </summary>
    /// <exception cref="ArgumentException">The dim, a dtype, a rank or a shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor Scatter(long dim, Tensor index, Tensor src) =>
        Recorded("scatter", [this, index, src], () => DimAttrs(dim), () => ScatterInto("scatter", Copy(), dim, index, src));

    /// <summary>A copy of this tensor with <paramref name="value"/> written where <paramref name="index"/> points along <paramref name="dim"/> (<c>torch.scatter</c> with a value).</summary>
    /// <exception cref="ArgumentException">The dim or the index is wrong, or the value overflows this dtype.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor Scatter(long dim, Tensor index, double value) =>
        Recorded("scatter", [this, index], () => new Attrs { { "dim", dim }, { "value", value } }, () => ScatterInto("scatter", Copy(), dim, index, FillValue("scatter", Scalar(value), DType), isValue: true));

    /// <summary>A copy of this tensor with the integer <paramref name="value"/> written where <paramref name="index"/> points along <paramref name="dim"/>.</summary>
    /// <exception cref="ArgumentException">The dim or the index is wrong, or the value overflows this dtype.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor Scatter(long dim, Tensor index, long value) =>
        Recorded("scatter", [this, index], () => new Attrs { { "dim", dim }, { "value", (double)value } }, () => ScatterInto("scatter", Copy(), dim, index, FillValue("scatter", Scalar(value), DType), isValue: true));

    /// <summary>In-place <see cref="Scatter(long, Tensor, Tensor)"/> (<c>scatter_</c>). The index is checked before anything is written.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dim, a dtype, a rank or a shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor Scatter_(long dim, Tensor index, Tensor src) =>
        InPlace("scatter_", [src], () => Scatter(dim, index, src), () => ScatterInto("scatter_", this, dim, index, src));

    /// <summary>In-place <see cref="Scatter(long, Tensor, double)"/>.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dim or the index is wrong, or the value overflows this dtype.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor Scatter_(long dim, Tensor index, double value) =>
        InPlace("scatter_", [], () => Scatter(dim, index, value), () => ScatterInto("scatter_", this, dim, index, FillValue("scatter_", Scalar(value), DType), isValue: true));

    /// <summary>In-place <see cref="Scatter(long, Tensor, long)"/>.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dim or the index is wrong, or the value overflows this dtype.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor Scatter_(long dim, Tensor index, long value) =>
        InPlace("scatter_", [], () => Scatter(dim, index, value), () => ScatterInto("scatter_", this, dim, index, FillValue("scatter_", Scalar(value), DType), isValue: true));

    /// <summary>
    /// A copy of this tensor with <c>src</c>'s values added where <paramref name="index"/> points along
    /// <paramref name="dim"/> (<c>torch.scatter_add</c>): for dim 0, <c>out[index[i][j]][j] += src[i][j]</c>;
    /// repeated indices add up, in order along the dim.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, a dtype, a rank or a shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor ScatterAdd(long dim, Tensor index, Tensor src) =>
        Recorded("scatter_add", [this, index, src], () => DimAttrs(dim), () => ScatterReduceInto("scatter_add", IndexingOps.ScatterAdd, Copy(), dim, index, src, "sum", true));

    /// <summary>In-place <see cref="ScatterAdd"/> (<c>scatter_add_</c>).</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dim, a dtype, a rank or a shape is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor ScatterAdd_(long dim, Tensor index, Tensor src) =>
        InPlace("scatter_add_", [src], () => ScatterAdd(dim, index, src), () => ScatterReduceInto("scatter_add_", IndexingOps.ScatterAdd, this, dim, index, src, "sum", true));

    /// <summary>
    /// A copy of this tensor with <c>src</c>'s values reduced into the positions <paramref name="index"/> names
    /// along <paramref name="dim"/> (<c>torch.scatter_reduce</c>): <paramref name="reduce"/> is <c>sum</c>,
    /// <c>prod</c>, <c>mean</c> (floor division for integers), <c>amax</c> or <c>amin</c> (NaN wins). Without
    /// <paramref name="includeSelf"/>, positions that receive values start from those values alone.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, a dtype, a rank, a shape or the reduction is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor ScatterReduce(long dim, Tensor index, Tensor src, string reduce, bool includeSelf = true) =>
        Recorded("scatter_reduce", [this, index, src], () => new Attrs { { "dim", dim }, { "reduce", reduce }, { "include_self", includeSelf } },
            () => ScatterReduceInto("scatter_reduce", IndexingOps.ScatterReduce, Copy(), dim, index, src, reduce, includeSelf));

    /// <summary>In-place <see cref="ScatterReduce"/> (<c>scatter_reduce_</c>).</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dim, a dtype, a rank, a shape or the reduction is wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, size of dim).</exception>
    public Tensor ScatterReduce_(long dim, Tensor index, Tensor src, string reduce, bool includeSelf = true) =>
        InPlace("scatter_reduce_", [src], () => ScatterReduce(dim, index, src, reduce, includeSelf),
            () => ScatterReduceInto("scatter_reduce_", IndexingOps.ScatterReduce, this, dim, index, src, reduce, includeSelf));

    /// <summary>The <c>dim</c> attribute of the indexing ops' records.</summary>
    private static Attrs DimAttrs(long dim) => new() { { "dim", dim } };

    /// <summary>A copy of this tensor made without recording (the out-of-place indexing ops record themselves).</summary>
    private Tensor Copy()
    {
        using (GradMode.Set(false)) return Clone();
    }

    /// <summary>Runs an out-of-place indexing op and records it when one of its inputs needs a gradient.</summary>
    private static Tensor Recorded(string op, Tensor?[] inputs, Func<Attrs> attrs, Func<Tensor> run)
    {
        var result = run();
        return GradRecorder.IsNeeded(inputs) ? GradRecorder.Record(op, attrs(), inputs, [result])[0] : result;
    }

    /// <summary>
    /// An in-place op: recorded as its out-of-place form through <see cref="InPlaceGrad"/> when autograd is involved,
    /// else run in place with the write counted on this tensor's version.
    /// </summary>
    private Tensor InPlace(string op, Tensor?[] others, Func<Tensor> outOfPlace, Func<Tensor> inPlace)
    {
        if (InPlaceGrad.IsNeeded(this, others)) return InPlaceGrad.Run(this, op, outOfPlace);
        inPlace();
        MarkModified();
        return this;
    }

    /// <summary>This tensor, or a 1-d view of its one element when it is 0-d (scatter and gather treat 0-d tensors as [1]).</summary>
    private static Tensor AtLeast1D(Tensor t) => t.Dim == 0 ? t.AsStrided([1], [1], t.offset) : t;

    private Tensor ScatterInto(string op, Tensor target, long dim, Tensor index, Tensor src, bool isValue = false)
    {
        var (d, t, checkedIndex, s) = PrepareScatter(op, IndexingOps.Scatter, target, dim, index, src, isValue);
        ScatterKernel.Assign(t, d, checkedIndex, s);
        return target;
    }

    private Tensor ScatterReduceInto(string op, OpDef def, Tensor target, long dim, Tensor index, Tensor src, string reduce, bool includeSelf)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        var (d, t, checkedIndex, s) = PrepareScatter(op, def, target, dim, index, src, isValue: false, reduce);
        ScatterReduction.Into(t, d, checkedIndex, s, reduce, includeSelf);
        return target;
    }

    /// <summary>Checks a scatter and returns its dim and its operands as at least 1-d tensors, the index checked and a value broadcast.</summary>
    private (int Dim, Tensor Target, Tensor Index, Tensor Src) PrepareScatter(string op, OpDef def, Tensor target, long dim, Tensor index, Tensor src, bool isValue, string? reduce = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(src);
        var call = isValue ? Calls.Of(op, def, this, index) : Calls.Of(op, def, this, index, src);
        if (reduce is not null) IndexingRules.CheckScatterReduction(call, reduce, DType);
        if (!isValue) IndexingRules.CheckSameDType(call, DType, src.DType, "src");
        IndexingRules.CheckScatter(call, shape, dim, index.shape, index.DType, isValue ? null : src.shape);
        int d = Shapes.WrapDim(op, dim, Dim);
        var t = AtLeast1D(target);
        var checkedIndex = IndexValues.Checked(op, AtLeast1D(index), t.shape[d], d, allowNegative: false);
        return (d, t, checkedIndex, isValue ? ScatterReduction.Broadcast(src, checkedIndex.shape) : AtLeast1D(src));
    }
}
