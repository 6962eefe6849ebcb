namespace Kiln.IR.Ops;

/// <summary>
/// Shape and dtype rules of the indexing ops (gather, scatter, index_select, index_add, masked ops,
/// embedding, one_hot), with PyTorch's checks. The type rules and the eager kernels both call these, so
/// each rule exists once; messages start with the call (<see cref="IndexingCall"/>) and say what is wrong.
/// </summary>
public static class IndexingRules
{
    /// <summary>The index dtypes of index_select, index_add and embedding (gather and scatter take int64 only).</summary>
    public static IReadOnlyList<DType> IntIndexDTypes { get; } = [DType.Int64, DType.Int32];

    /// <summary>The mask dtypes: bool, and uint8 (which PyTorch still accepts, deprecated, as a mask).</summary>
    public static IReadOnlyList<DType> MaskDTypes { get; } = [DType.Bool, DType.UInt8];

    /// <summary>The reductions of <c>scatter_reduce</c>.</summary>
    public static IReadOnlyList<string> ScatterReductions { get; } = ["sum", "prod", "mean", "amax", "amin"];

    /// <summary>The size of dim <paramref name="d"/>, taking a 0-d shape as [1] (PyTorch's <c>ensure_nonempty_size</c>).</summary>
    public static long SizeOrOne(ReadOnlySpan<long> shape, int d) => shape.Length == 0 ? 1 : shape[d];

    /// <summary>Throws unless an index (or mask) tensor has one of the <paramref name="allowed"/> dtypes.</summary>
    /// <exception cref="ArgumentException">The dtype is not allowed.</exception>
    public static void CheckIndexDType(IndexingCall call, DType dtype, IReadOnlyList<DType> allowed, string what = "index")
    {
        if (!allowed.Contains(dtype))
            throw new ArgumentException($"{call}: expected {what} of dtype {string.Join(" or ", allowed.Select(d => d.Name()))}, but got {dtype.Name()}");
    }

    /// <summary>Throws unless <paramref name="other"/> has the dtype of self.</summary>
    /// <exception cref="ArgumentException">The dtypes differ.</exception>
    public static void CheckSameDType(IndexingCall call, DType self, DType other, string what)
    {
        if (self != other)
            throw new ArgumentException($"{call}: expected self and {what} to have the same dtype, but got {self.Name()} and {other.Name()}");
    }

    /// <summary>The value of a required integer attribute.</summary>
    /// <exception cref="ArgumentException">The attribute is absent.</exception>
    public static long RequiredLong(string op, Attrs attrs, string name) =>
        attrs[name] is null ? throw new ArgumentException($"{op}: the '{name}' attribute is required") : attrs.GetLong(name, 0);

    /// <summary>
    /// Checks <c>gather(self, dim, index)</c> and returns the result shape (the index's): the index is int64
    /// with as many dims as self, and no larger than self in any dim but <paramref name="dim"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, dtype, rank or sizes are wrong.</exception>
    public static long[] GatherShape(IndexingCall call, long[] self, long dim, long[] index, DType indexDType)
    {
        CheckIndexDType(call, indexDType, [DType.Int64]);
        int d = Shapes.WrapDim(call.Op, dim, self.Length);
        CheckSameRank(call, self, index, "index");
        for (int i = 0; i < Math.Max(self.Length, 1); i++)
        {
            if (i != d && SizeOrOne(index, i) > SizeOrOne(self, i))
                throw new ArgumentException($"{call}: the index is larger than self at dim {i} (only dim {d} may be larger)");
        }
        return (long[])index.Clone();
    }

    /// <summary>
    /// Checks <c>scatter(self, dim, index, src)</c> and its relatives: the index is int64; unless it is empty it
    /// has as many dims as self and src, is no larger than src in any dim and no larger than self in any dim
    /// but <paramref name="dim"/>. <paramref name="src"/> is null for the value form.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, dtype, rank or sizes are wrong.</exception>
    public static void CheckScatter(IndexingCall call, long[] self, long dim, long[] index, DType indexDType, long[]? src)
    {
        CheckIndexDType(call, indexDType, [DType.Int64]);
        int d = Shapes.WrapDim(call.Op, dim, self.Length);
        if (Shapes.Numel(index) == 0) return;
        CheckSameRank(call, self, index, "index");
        if (src is not null) CheckSameRank(call, self, src, "src");
        for (int i = 0; i < Math.Max(self.Length, 1); i++)
        {
            long size = SizeOrOne(index, i);
            if ((i != d && size > SizeOrOne(self, i)) || (src is not null && size > SizeOrOne(src, i)))
                throw new ArgumentException($"{call}: the index must be no larger than self apart from dim {d}"
                    + (src is null ? "" : " and no larger than src") + $", but differs at dim {i}");
        }
    }

    /// <summary>Checks the <c>reduce</c> of <c>scatter_reduce</c> against the dtype of self.</summary>
    /// <exception cref="ArgumentException">The reduction is unknown, or mean on bool.</exception>
    public static void CheckScatterReduction(IndexingCall call, string reduce, DType dtype)
    {
        if (!ScatterReductions.Contains(reduce))
            throw new ArgumentException($"{call}: reduce must be one of {string.Join(", ", ScatterReductions)}, but got '{reduce}'");
        if (reduce == "mean" && dtype == DType.Bool)
            throw new ArgumentException($"{call}: reduce='mean' is not supported for bool tensors (as in PyTorch)");
    }

    /// <summary>
    /// Checks <c>index_select(self, dim, index)</c> and returns its shape: self's with dim
    /// <paramref name="dim"/> as long as the index (a 0-d self takes a one-element index and gives a 0-d result).
    /// </summary>
    /// <exception cref="ArgumentException">The dim, or the index's dtype or rank, is wrong.</exception>
    public static long[] IndexSelectShape(IndexingCall call, long[] self, long dim, long[] index, DType indexDType)
    {
        CheckIndexDType(call, indexDType, IntIndexDTypes);
        CheckVectorIndex(call, index);
        int d = Shapes.WrapDim(call.Op, dim, self.Length);
        if (self.Length == 0)
        {
            if (Shapes.Numel(index) != 1)
                throw new ArgumentException($"{call}: a 0-d self takes a one-element index");
            return [];
        }
        var shape = (long[])self.Clone();
        shape[d] = Shapes.Numel(index);
        return shape;
    }

    /// <summary>
    /// Checks <c>index_add(self, dim, index, source)</c>: a vector index of int32 or int64 as long as
    /// source's dim <paramref name="dim"/>, and source of self's shape apart from that dim.
    /// </summary>
    /// <exception cref="ArgumentException">The dim, the index's dtype or rank, or a shape is wrong.</exception>
    public static void CheckIndexAdd(IndexingCall call, long[] self, long dim, long[] index, DType indexDType, long[] source)
    {
        CheckIndexDType(call, indexDType, IntIndexDTypes);
        CheckVectorIndex(call, index);
        int d = Shapes.WrapDim(call.Op, dim, self.Length);
        CheckSameRank(call, self, source, "source");
        long count = Shapes.Numel(index);
        if (count != SizeOrOne(source, d))
            throw new ArgumentException($"{call}: the index has {count} element(s), but source has size {SizeOrOne(source, d)} in dim {d}");
        for (int i = 0; i < Math.Max(self.Length, 1); i++)
        {
            if (i != d && SizeOrOne(self, i) != SizeOrOne(source, i))
                throw new ArgumentException($"{call}: source must match self in every dim but {d}, but differs at dim {i}");
        }
    }

    /// <summary>The result shape of a masked op: self and the bool mask broadcast together.</summary>
    /// <exception cref="ArgumentException">The mask is not bool (or uint8), or the shapes do not broadcast.</exception>
    public static long[] MaskedShape(IndexingCall call, long[] self, long[] mask, DType maskDType)
    {
        CheckIndexDType(call, maskDType, MaskDTypes, "mask");
        return Shapes.Broadcast(call.Op, self, mask);
    }

    /// <summary>Checks the value tensor of <c>masked_fill</c>: it must be 0-d.</summary>
    /// <exception cref="ArgumentException">The value tensor has dims.</exception>
    public static void CheckFillValue(IndexingCall call, long[] value)
    {
        if (value.Length != 0)
            throw new ArgumentException($"{call}: only a 0-d value tensor can be filled in, but got one of shape {Shapes.Format(value)}");
    }

    /// <summary>
    /// Checks <c>embedding(input, weight, padding_idx)</c> and returns its shape, input's shape followed by the
    /// embedding size: the input holds int32 or int64 indices, the weight is 2-d and padding_idx, when given,
    /// is a row of it (negative counts from the end).
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, the weight's rank or padding_idx is wrong.</exception>
    public static long[] EmbeddingShape(IndexingCall call, long[] input, DType inputDType, long[] weight, long? paddingIdx)
    {
        CheckIndexDType(call, inputDType, IntIndexDTypes, "input (the indices)");
        if (weight.Length != 2)
            throw new ArgumentException($"{call}: the weight must be 2-d [num_embeddings, embedding_dim]");
        if (paddingIdx is { } p && (p < -weight[0] || p >= weight[0]))
            throw new ArgumentException($"{call}: padding_idx {p} must be within num_embeddings: [{-weight[0]}, {weight[0] - 1}]");
        return [.. input, weight[1]];
    }

    /// <summary>
    /// The shape of <c>embedding_backward(grad_output, indices, num_weights, padding_idx)</c>: [num_weights, D], where
    /// grad_output is [*indices.shape, D].
    /// </summary>
    /// <exception cref="ArgumentException">The indices are not int32/int64, the shapes do not match, or num_weights or padding_idx is out of range.</exception>
    public static long[] EmbeddingBackwardShape(IndexingCall call, long[] grad, long[] indices, DType indexDType, long numWeights, long? paddingIdx)
    {
        CheckIndexDType(call, indexDType, IntIndexDTypes, "indices");
        if (numWeights < 0)
            throw new ArgumentException($"{call}: num_weights must be non-negative, got {numWeights}");
        if (grad.Length != indices.Length + 1 || !grad.AsSpan(0, indices.Length).SequenceEqual(indices))
            throw new ArgumentException($"{call}: grad_output must have the indices' shape followed by the embedding dim");
        if (paddingIdx is { } p && (p < -numWeights || p >= numWeights))
            throw new ArgumentException($"{call}: padding_idx {p} must be within num_weights: [{-numWeights}, {numWeights - 1}]");
        return [numWeights, grad[^1]];
    }

    /// <summary>
    /// The shape of <c>one_hot(input, num_classes)</c>: input's followed by the class count, which is
    /// <see cref="TensorType.DataDependent"/> when <paramref name="numClasses"/> is -1 (the largest value plus one).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not int64, num_classes is below -1, or the input is empty and num_classes not positive (as in PyTorch).</exception>
    public static long[] OneHotShape(IndexingCall call, long[] input, DType inputDType, long numClasses)
    {
        if (inputDType != DType.Int64)
            throw new ArgumentException($"{call}: expected an int64 tensor of class indices, but got dtype {inputDType.Name()}");
        if (numClasses < -1)
            throw new ArgumentException($"{call}: num_classes must be -1 (one more than the largest class) or non-negative, but got {numClasses}");
        if (numClasses <= 0 && Shapes.Numel(input) == 0)
            throw new ArgumentException($"{call}: cannot infer the number of classes of an empty tensor; pass a positive num_classes (got {numClasses})");
        return [.. input, numClasses == -1 ? TensorType.DataDependent : numClasses];
    }

    private static void CheckSameRank(IndexingCall call, long[] self, long[] other, string what)
    {
        if (Math.Max(self.Length, 1) != Math.Max(other.Length, 1))
            throw new ArgumentException($"{call}: {what} must have as many dims as self");
    }

    private static void CheckVectorIndex(IndexingCall call, long[] index)
    {
        if (index.Length > 1)
            throw new ArgumentException($"{call}: the index must be a vector (0-d or 1-d)");
    }
}
