using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// embedding_backward: the weight gradient of an embedding lookup, each gradient row added into the row its
/// index names (padding_idx's row skipped). Rows are summed in float32 (float64 for float64); on large inputs
/// the two threads each own half of the destination rows and scan every index, so no row is written by both.
/// </summary>
internal static class EmbeddingBackwardKernel
{
    /// <summary>Gradient elements below which the work stays on the calling thread.</summary>
    private const long Grain = 1 << 15;

    /// <summary>The [numWeights, D] weight gradient for <paramref name="grad"/> [*indices.shape, D].</summary>
    /// <exception cref="ArgumentException">The dtypes, shapes, num_weights or padding_idx are wrong.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, num_weights).</exception>
    internal static Tensor Run(Tensor grad, Tensor indices, long numWeights, long? paddingIdx)
    {
        var call = Calls.Of("embedding_backward", IndexingOps.EmbeddingBackward, grad, indices);
        IR.TypeRules.CheckDType("embedding_backward", grad.DType, DTypes.Floating);
        var shape = IndexingRules.EmbeddingBackwardShape(call, grad.shape, indices.shape, indices.DType, numWeights, paddingIdx);
        long padding = paddingIdx is { } p ? (p < 0 ? p + numWeights : p) : -1;
        var index = IndexValues.Checked("embedding_backward", indices.Reshape(-1), numWeights, 0, allowNegative: false);
        var compute = grad.DType == DType.Float64 ? DType.Float64 : DType.Float32;
        var rows = grad.To(compute).Contiguous();
        var result = Tensor.Zeros(shape, compute);
        if (compute == DType.Float64) Accumulate<double>(rows, index.Span<long>().ToArray(), result, padding);
        else Accumulate<float>(rows, index.Span<long>().ToArray(), result, padding);
        return result.To(grad.DType);
    }

    private static void Accumulate<T>(Tensor rows, long[] index, Tensor result, long padding) where T : unmanaged, INumber<T>
    {
        long width = result.shape[1], numWeights = result.shape[0];
        if (width == 0 || index.Length == 0) return;
        long parts = index.Length * width >= Grain && numWeights > 1 ? 2 : 1;
        CpuParallel.For(parts, 1, (first, end) =>
        {
            for (long part = first; part < end; part++)
            {
                long low = numWeights * part / parts, high = numWeights * (part + 1) / parts;
                for (int i = 0; i < index.Length; i++)
                {
                    long row = index[i];
                    if (row < low || row >= high || row == padding) continue;
                    var dst = result.Span<T>(row * width, width);
                    TensorPrimitives.Add(dst, rows.Span<T>(i * width, width), dst);
                }
            }
        });
    }
}
