using R = Kiln.IR.Ops.IndexingRules;

namespace Kiln.IR.Ops;

/// <summary>
/// The indexing ops: gather and scatter along a dim, index_select and index_add, PyTorch's advanced indexing
/// (index, index_put), masked ops, nonzero, embedding and one_hot. Shapes whose size depends on the input's
/// values (nonzero, masked_select, a mask index, one_hot with num_classes -1) are typed with
/// <see cref="TensorType.DataDependent"/> in those dims.
/// </summary>
public static class IndexingOps
{
    private const string Family = "indexing";

    private static readonly AttrDef Dim = new("dim", "int");

    /// <summary><c>torch.gather(self, dim, index)</c>: <c>out[i][j] = self[index[i][j]][j]</c> for dim 0, and so on.</summary>
    public static OpDef Gather { get; } = new()
    {
        Name = "gather",
        Family = Family,
        Inputs = ["self", "index"],
        Attributes = [Dim],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("gather", 2, x.Count);
            return [new TensorType(x[0].DType, R.GatherShape(Call("gather", x), x[0].Shape, R.RequiredLong("gather", a, "dim"), x[1].Shape, x[1].DType))];
        },
        Samples = IndexingSamples.Gather,
        Gradient = IndexingGradients.Gather,
    };

    /// <summary>
    /// <c>torch.scatter(self, dim, index, src)</c>: a copy of self with <c>out[index[i][j]][j] = src[i][j]</c>
    /// for dim 0, and so on; without src, the <c>value</c> attribute is written instead. With repeated
    /// indices the value written is unspecified (as in PyTorch).
    /// </summary>
    public static OpDef Scatter { get; } = new()
    {
        Name = "scatter",
        Family = Family,
        Inputs = ["self", "index", "src"],
        RequiredInputs = 2,
        Attributes = [Dim, new AttrDef("value", "float")],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            CheckScatterSource(Call("scatter", x), a);
            return ScatterType(Call("scatter", x), a);
        },
        Samples = IndexingSamples.Scatter,
        Gradient = IndexingGradients.Scatter,
    };

    /// <summary><c>torch.scatter_add(self, dim, index, src)</c>: a copy of self with <c>out[index[i][j]][j] += src[i][j]</c> for dim 0.</summary>
    public static OpDef ScatterAdd { get; } = new()
    {
        Name = "scatter_add",
        Family = Family,
        Inputs = ["self", "index", "src"],
        Attributes = [Dim],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("scatter_add", 3, x.Count);
            return ScatterType(Call("scatter_add", x), a);
        },
        Samples = IndexingSamples.ScatterAdd,
        Gradient = IndexingGradients.ScatterAdd,
    };

    /// <summary>
    /// <c>torch.scatter_reduce(self, dim, index, src, reduce, include_self=True)</c>: reduces every src value
    /// into the position its index names, with sum, prod, mean (floor division for integers), amax or amin;
    /// without include_self the positions written start from the src values alone.
    /// </summary>
    public static OpDef ScatterReduce { get; } = new()
    {
        Name = "scatter_reduce",
        Family = Family,
        Inputs = ["self", "index", "src"],
        Attributes = [Dim, new AttrDef("reduce", "str"), new AttrDef("include_self", "bool", true)],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("scatter_reduce", 3, x.Count);
            var reduce = a["reduce"] as string ?? throw new ArgumentException("scatter_reduce: the 'reduce' attribute is required");
            var call = Call("scatter_reduce", x);
            R.CheckScatterReduction(call, reduce, x[0].DType);
            return ScatterType(call, a);
        },
        Samples = IndexingSamples.ScatterReduce,
        Gradient = IndexingGradients.ScatterReduce,
    };

    /// <summary><c>torch.index_select(self, dim, index)</c>: the slices of self at the positions of a vector index along a dim.</summary>
    public static OpDef IndexSelect { get; } = new()
    {
        Name = "index_select",
        Family = Family,
        Inputs = ["self", "index"],
        Attributes = [Dim],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("index_select", 2, x.Count);
            return [new TensorType(x[0].DType, R.IndexSelectShape(Call("index_select", x), x[0].Shape, R.RequiredLong("index_select", a, "dim"), x[1].Shape, x[1].DType))];
        },
        Samples = IndexingSamples.IndexSelect,
        Gradient = IndexingGradients.IndexSelect,
    };

    /// <summary><c>torch.index_add(self, dim, index, source, alpha=1)</c>: a copy of self with <c>alpha · source[i]</c> added to slice <c>index[i]</c> along a dim.</summary>
    public static OpDef IndexAdd { get; } = new()
    {
        Name = "index_add",
        Family = Family,
        Inputs = ["self", "index", "source"],
        Attributes = [Dim, new AttrDef("alpha", "float", 1.0)],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("index_add", 3, x.Count);
            var call = Call("index_add", x);
            R.CheckSameDType(call, x[0].DType, x[2].DType, "source");
            R.CheckIndexAdd(call, x[0].Shape, R.RequiredLong("index_add", a, "dim"), x[1].Shape, x[1].DType, x[2].Shape);
            return [x[0]];
        },
        Samples = IndexingSamples.IndexAdd,
        Gradient = IndexingGradients.IndexAdd,
    };

    /// <summary>
    /// <c>aten::index(self, indices)</c>, Python's <c>self[indices]</c> with tensor indices (see
    /// <see cref="AdvancedIndexRules"/>). The index tensors follow self; the <c>dims</c> attribute gives the
    /// first dim each one indexes (absent: one after the other from dim 0).
    /// </summary>
    public static OpDef Index { get; } = new()
    {
        Name = "index",
        Family = Family,
        Inputs = ["self", "indices"],
        IsVariadic = true,
        Attributes = [new AttrDef("dims", "ints")],
        DTypes = DTypes.All,
        InferTypes = (x, a) => [AdvancedIndexRules.IndexType(Call("index", x), x[0], x.Skip(1).ToArray(), Dims(a))],
        Samples = IndexingSamples.Index,
        Gradient = IndexingGradients.Index,
    };

    /// <summary>
    /// <c>torch.index_put(self, indices, values, accumulate=False)</c>, Python's <c>self[indices] = values</c>
    /// (or <c>+=</c> with accumulate, where repeated indices add up). Inputs are self, values, then the index
    /// tensors, placed by the <c>dims</c> attribute as in <see cref="Index"/>. Without accumulate, the value
    /// written at a repeated index is unspecified (as in PyTorch).
    /// </summary>
    public static OpDef IndexPut { get; } = new()
    {
        Name = "index_put",
        Family = Family,
        Inputs = ["self", "values", "indices"],
        IsVariadic = true,
        Attributes = [new AttrDef("dims", "ints"), new AttrDef("accumulate", "bool", false)],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            if (x.Count < 3)
                throw new ArgumentException($"index_put: expected self, values and at least one index tensor, got {x.Count} input(s)");
            var call = Call("index_put", x);
            R.CheckSameDType(call, x[0].DType, x[1].DType, "values");
            var result = AdvancedIndexRules.IndexType(call, x[0], x.Skip(2).ToArray(), Dims(a));
            AdvancedIndexRules.CheckValues(call, x[1].Shape, result.Shape);
            return [x[0]];
        },
        Samples = IndexingSamples.IndexPut,
        Gradient = IndexingGradients.IndexPut,
    };

    /// <summary>
    /// <c>torch.masked_fill(self, mask, value)</c>: self (broadcast with the bool mask) with the value where the
    /// mask is set. The value is the <c>value</c> attribute or a 0-d tensor given as the third input.
    /// </summary>
    public static OpDef MaskedFill { get; } = new()
    {
        Name = "masked_fill",
        Family = Family,
        Inputs = ["self", "mask", "value"],
        RequiredInputs = 2,
        Attributes = [new AttrDef("value", "float")],
        DTypes = DTypes.All,
        InferTypes = (x, a) =>
        {
            var call = Call("masked_fill", x);
            CheckFillSource(call, a);
            return [new TensorType(x[0].DType, R.MaskedShape(call, x[0].Shape, x[1].Shape, x[1].DType))];
        },
        Samples = IndexingSamples.MaskedFill,
        Gradient = IndexingGradients.MaskedFill,
    };

    /// <summary><c>torch.masked_select(self, mask)</c>: the elements of self (broadcast with the mask) where the mask is set, as a vector in row-major order.</summary>
    public static OpDef MaskedSelect { get; } = new()
    {
        Name = "masked_select",
        Family = Family,
        Inputs = ["self", "mask"],
        DTypes = DTypes.All,
        InferTypes = (x, _) =>
        {
            TypeRules.CheckArity("masked_select", 2, x.Count);
            R.MaskedShape(Call("masked_select", x), x[0].Shape, x[1].Shape, x[1].DType);
            return [new TensorType(x[0].DType, [TensorType.DataDependent])];
        },
        Samples = IndexingSamples.MaskedSelect,
        Gradient = IndexingGradients.MaskedSelect,
    };

    /// <summary><c>torch.nonzero(self)</c>: the positions of the nonzero elements, one row of int64 coordinates each, in row-major order.</summary>
    public static OpDef Nonzero { get; } = new()
    {
        Name = "nonzero",
        Family = Family,
        Inputs = ["self"],
        DTypes = DTypes.All,
        InferTypes = (x, _) =>
        {
            TypeRules.CheckArity("nonzero", 1, x.Count);
            return [new TensorType(DType.Int64, [TensorType.DataDependent, x[0].Rank])];
        },
        Samples = IndexingSamples.Nonzero,
    };

    /// <summary><c>torch.nn.functional.one_hot(input, num_classes=-1)</c>: int64 one-hot rows for int64 class indices.</summary>
    public static OpDef OneHot { get; } = new()
    {
        Name = "one_hot",
        Family = Family,
        Inputs = ["input"],
        Attributes = [new AttrDef("num_classes", "int", -1L)],
        DTypes = [DType.Int64],
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("one_hot", 1, x.Count);
            return [new TensorType(DType.Int64, R.OneHotShape(Call("one_hot", x), x[0].Shape, x[0].DType, a.GetLong("num_classes", -1)))];
        },
        Samples = IndexingSamples.OneHot,
    };

    /// <summary>
    /// <c>torch.nn.functional.embedding(input, weight, padding_idx=None)</c>: the rows of weight at the
    /// int32/int64 indices of input. padding_idx only matters to the gradient; here it is checked.
    /// </summary>
    public static OpDef Embedding { get; } = new()
    {
        Name = "embedding",
        Family = Family,
        Inputs = ["input", "weight"],
        Attributes = [new AttrDef("padding_idx", "int")],
        DTypes = R.IntIndexDTypes,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("embedding", 2, x.Count);
            return [new TensorType(x[1].DType, R.EmbeddingShape(Call("embedding", x), x[0].Shape, x[0].DType, x[1].Shape, PaddingIdx(a)))];
        },
        Samples = IndexingSamples.Embedding,
        Gradient = IndexingGradients.Embedding,
    };

    /// <summary>
    /// <c>aten::embedding_backward(grad_output, indices, num_weights, padding_idx)</c>: embedding's weight gradient,
    /// each row of grad_output [*indices.shape, D] added into the row its index names of a zero [num_weights, D];
    /// the padding_idx row stays zero.
    /// </summary>
    public static OpDef EmbeddingBackward { get; } = new()
    {
        Name = "embedding_backward",
        Family = Family,
        Inputs = ["grad_output", "indices"],
        Attributes = [new AttrDef("num_weights", "int"), new AttrDef("padding_idx", "int")],
        DTypes = DTypes.Floating,
        InferTypes = (x, a) =>
        {
            TypeRules.CheckArity("embedding_backward", 2, x.Count);
            var call = Call("embedding_backward", x);
            TypeRules.CheckDType("embedding_backward", x[0].DType, DTypes.Floating);
            return [new TensorType(x[0].DType, R.EmbeddingBackwardShape(call, x[0].Shape, x[1].Shape, x[1].DType, R.RequiredLong("embedding_backward", a, "num_weights"), PaddingIdx(a)))];
        },
        Samples = IndexingSamples.EmbeddingBackward,
        Gradient = IndexingGradients.EmbeddingBackward,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
        [Gather, Scatter, ScatterAdd, ScatterReduce, IndexSelect, IndexAdd, Index, IndexPut, MaskedFill, MaskedSelect, Nonzero, OneHot, Embedding, EmbeddingBackward];

    /// <summary>The <c>dims</c> attribute of index and index_put, or null when absent.</summary>
    public static long[]? Dims(Attrs attrs) => attrs["dims"] is null ? null : attrs.GetLongs("dims");

    /// <summary>The <c>padding_idx</c> attribute of embedding, or null when absent.</summary>
    public static long? PaddingIdx(Attrs attrs) => attrs["padding_idx"] is null ? null : attrs.GetLong("padding_idx", 0);

    /// <summary>The call of registered op <paramref name="op"/> on inputs of types <paramref name="x"/>, as messages name it.</summary>
    public static IndexingCall Call(string op, IReadOnlyList<TensorType> x) => new(op, OpRegistry.Get(op).Inputs, x);

    /// <summary>Checks that scatter has exactly one of a src tensor and a <c>value</c> attribute.</summary>
    /// <exception cref="ArgumentException">Both or neither are given.</exception>
    public static void CheckScatterSource(IndexingCall call, Attrs a)
    {
        bool hasValue = a["value"] is not null;
        if (call.Inputs.Count == 3 && hasValue)
            throw new ArgumentException($"{call}: give either a src tensor or the 'value' attribute, not both");
        if (call.Inputs.Count == 2 && !hasValue)
            throw new ArgumentException($"{call}: needs a src tensor (third input) or the 'value' attribute");
    }

    /// <summary>Checks that masked_fill has exactly one of a 0-d value tensor and a <c>value</c> attribute.</summary>
    /// <exception cref="ArgumentException">Both or neither are given, or the value tensor has dims.</exception>
    public static void CheckFillSource(IndexingCall call, Attrs a)
    {
        bool hasValue = a["value"] is not null;
        if (call.Inputs.Count == 3 && hasValue)
            throw new ArgumentException($"{call}: give either a value tensor or the 'value' attribute, not both");
        if (call.Inputs.Count == 2 && !hasValue)
            throw new ArgumentException($"{call}: needs the 'value' attribute or a 0-d value tensor (third input)");
        if (call.Inputs.Count == 3) R.CheckFillValue(call, call.Inputs[2].Shape);
    }

    private static TensorType[] ScatterType(IndexingCall call, Attrs a)
    {
        var x = call.Inputs;
        if (x.Count == 3) R.CheckSameDType(call, x[0].DType, x[2].DType, "src");
        R.CheckScatter(call, x[0].Shape, R.RequiredLong(call.Op, a, "dim"), x[1].Shape, x[1].DType, x.Count == 3 ? x[2].Shape : null);
        return [x[0]];
    }
}
