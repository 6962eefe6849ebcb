using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// The rows of <paramref name="weight"/> [num_embeddings, embedding_dim] at the int32 or int64 indices of
    /// <paramref name="input"/> (<c>torch.nn.functional.embedding</c>); the result has input's shape followed by
    /// embedding_dim. <paramref name="paddingIdx"/> (negative counts from the end) marks a row whose gradient
    /// is zero; the forward pass returns it like any other row. Rows of a contiguous weight are block copies.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not int32/int64, the weight is not 2-d, or padding_idx is not a row.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, num_embeddings).</exception>
    public static Tensor Embedding(Tensor input, Tensor weight, long? paddingIdx = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var shape = IndexingRules.EmbeddingShape(Calls.Of("embedding", IndexingOps.Embedding, input, weight), input.shape, input.DType, weight.shape, paddingIdx);
        var index = IndexValues.Checked("embedding", input.Reshape(-1), weight.shape[0], 0, allowNegative: false);
        var result = IndexSelectKernel.Run(weight, 0, index, [index.numel, weight.shape[1]]).View(shape);
        if (!GradRecorder.IsNeeded(weight)) return result;
        return GradRecorder.Track(result, "embedding", input, weight, paddingIdx is { } p ? new IR.Attrs { { "padding_idx", p } } : null);
    }
}
