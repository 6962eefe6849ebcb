using Kiln.IR;
using System.Runtime.CompilerServices;
using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// PyTorch's advanced indexing with tensors, <c>self[indices]</c> (<c>aten::index</c>): each entry indexes
    /// the next dim(s); null leaves a dim whole (Python's <c>:</c>); an int64 tensor picks positions (negative
    /// ones count from the end); a bool (or uint8) mask covers as many dims as it has and picks the positions
    /// where it is set (a 0-d mask adds a dim of size 1 or 0, like Python's <c>t[True]</c>). The index shapes
    /// broadcast together; when the indexed dims are adjacent their broadcast shape takes their place in the
    /// result, otherwise it comes first. The result is a copy. Example: <c>t.Index(null, idx)</c> is <c>t[:, idx]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">There are too many indices or none, an index has another dtype, a mask's shape differs from the dims it covers, or the index shapes do not broadcast.</exception>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    public Tensor Index(params Tensor?[] indices)
    {
        var (tensors, dims) = Placed(indices);
        var result = IndexWith(tensors, dims);
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "index", [this, .. tensors], new Attrs { { "dims", dims } }) : result;
    }

    /// <summary>
    /// A copy of this tensor with <paramref name="values"/> (broadcast to the shape of <c>Index(indices)</c>)
    /// written at the positions <paramref name="indices"/> picks, or added with <paramref name="accumulate"/>
    /// (<c>torch.index_put</c>); indices are as in <see cref="Index(Tensor?[])"/>. Values must have this dtype. Without
    /// accumulate, which value lands on a repeated index is unspecified (as in PyTorch); with it, repeats add up.
    /// </summary>
    /// <exception cref="ArgumentException">The indices are invalid (see <see cref="Index(Tensor?[])"/>), values has another dtype, or its shape does not broadcast to the indexing result.</exception>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    public Tensor IndexPut(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        var (tensors, dims) = Placed(indices);
        var result = Copy().IndexPutWith(tensors, values, dims, accumulate);
        return GradRecorder.IsNeeded(this, values)
            ? GradRecorder.Track(result, "index_put", [this, values, .. tensors], new Attrs { { "dims", dims }, { "accumulate", accumulate } })
            : result;
    }

    /// <summary>In-place <see cref="IndexPut"/> (<c>index_put_</c>): every index is checked before anything is written.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The indices are invalid, values has another dtype, or its shape does not broadcast to the indexing result.</exception>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    public Tensor IndexPut_(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        if (InPlaceGrad.IsNeeded(this, values)) return InPlaceGrad.Run(this, "index_put_", () => IndexPut(indices, values, accumulate));
        var (tensors, dims) = Placed(indices);
        IndexPutWith(tensors, values, dims, accumulate, "index_put_");
        MarkModified();
        return this;
    }

    /// <summary>
    /// Advanced indexing by tensors, Python's <c>t[mask]</c>, <c>t[idx]</c>, <c>t[i, j]</c> (see <see cref="Index(Tensor?[])"/>;
    /// null stands for <c>:</c>). Setting writes the value, converted to this dtype and broadcast to the
    /// indexing result, at the positions picked (see <see cref="IndexPut_"/>): <c>t[t.Lt(0)] = Tensor.Scalar(0f)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The indices are invalid, or the value does not broadcast.</exception>
    /// <exception cref="IndexOutOfRangeException">An integer index is outside its dim.</exception>
    [IndexerName("Subscript")]
    public Tensor this[params Tensor?[] indices]
    {
        get => Index(indices);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            IndexPut_(indices, value.To(DType));
        }
    }

    /// <summary><c>aten::index</c> with the index tensors placed at <paramref name="dims"/> (null: one after the other).</summary>
    internal Tensor IndexWith(IReadOnlyList<Tensor> tensors, long[]? dims) =>
        AdvancedIndex.Resolve(Calls.Of("index", IndexingOps.Index, [this, .. tensors]), this, tensors, dims).Gather();

    /// <summary><c>index_put_</c> with the index tensors placed at <paramref name="dims"/> (null: one after the other).</summary>
    internal Tensor IndexPutWith(IReadOnlyList<Tensor> tensors, Tensor values, long[]? dims, bool accumulate, string op = "index_put")
    {
        ArgumentNullException.ThrowIfNull(values);
        var call = Calls.Of(op, IndexingOps.IndexPut, [this, values, .. tensors]);
        IndexingRules.CheckSameDType(call, DType, values.DType, "values");
        var plan = AdvancedIndex.Resolve(call, this, tensors, dims);
        AdvancedIndexRules.CheckValues(call, values.shape, plan.Shape);
        plan.Put(values, accumulate);
        return this;
    }

    /// <summary>The non-null entries of a Python-style index list and the first dim each indexes.</summary>
    private static (Tensor[] Tensors, long[] Dims) Placed(Tensor?[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var tensors = new List<Tensor>();
        var dims = new List<long>();
        long dim = 0;
        foreach (var t in indices)
        {
            if (t is null)
            {
                dim++;
                continue;
            }
            tensors.Add(t);
            dims.Add(dim);
            dim += t.DType is DType.Bool or DType.UInt8 ? t.Dim : 1;
        }
        return (tensors.ToArray(), dims.ToArray());
    }
}
