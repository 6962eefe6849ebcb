using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The matrix product <c>this @ other</c> (<c>torch.matmul</c>): the dot product of two vectors (a 0-d
    /// result), matrix-vector, vector-matrix and matrix products, and batched products whose batch dims
    /// broadcast (e.g. [2, 1, 3, 4] @ [5, 4, 6] → [2, 5, 3, 6]). A 1-d operand gets a dim added for the
    /// product and removed from the result. Both operands must have the same dtype (not bool).
    /// </summary>
    /// <exception cref="ArgumentException">An operand is 0-d, the inner sizes or batch dims do not match, or the dtypes differ or are bool.</exception>
    public Tensor Matmul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var dtype = LinalgOps.SameDType("matmul", DType, other.DType);
        var result = Empty(dtype, LinalgOps.MatmulShape(shape, other.shape));
        MatmulKernel.MatmulInto(this, other, result, accumulate: false);
        return GradRecorder.Track(result, "matmul", this, other);
    }

    /// <summary>
    /// The batched matrix product of two 3-d tensors, [B, M, K] @ [B, K, N] → [B, M, N] (<c>torch.bmm</c>;
    /// unlike <see cref="Matmul"/> the batch sizes must be equal, not broadcast).
    /// </summary>
    /// <exception cref="ArgumentException">An operand is not 3-d, the batch or inner sizes differ, or the dtypes differ or are bool.</exception>
    public Tensor Bmm(Tensor mat2)
    {
        ArgumentNullException.ThrowIfNull(mat2);
        var dtype = LinalgOps.SameDType("bmm", DType, mat2.DType);
        var result = Empty(dtype, LinalgOps.BmmShape(shape, mat2.shape));
        MatmulKernel.MatmulInto(this, mat2, result, accumulate: false);
        return GradRecorder.Track(result, "bmm", this, mat2);
    }

    /// <summary>
    /// The outer product of two vectors, [M] ⊗ [N] → [M, N] with result[i, j] = this[i]·vec2[j]
    /// (<c>torch.outer</c>), in the promoted dtype of the two (bool gives the logical and).
    /// </summary>
    /// <exception cref="ArgumentException">An operand is not 1-d.</exception>
    public Tensor Outer(Tensor vec2)
    {
        ArgumentNullException.ThrowIfNull(vec2);
        var resultShape = LinalgOps.OuterShape(shape, vec2.shape);
        var dtype = DTypePromotion.Promote(DType, vec2.DType);
        // Products of 0/1 bytes are 0/1: bool is computed in uint8.
        var computeType = dtype == DType.Bool ? DType.UInt8 : dtype;
        var result = Empty(computeType, resultShape);
        // The casts and views on the way are internal steps: only the outer product itself is recorded.
        MatmulKernel.MatmulInto(ToUntracked(computeType).UnsqueezeUntracked(1), vec2.ToUntracked(computeType).UnsqueezeUntracked(0), result, accumulate: false);
        return GradRecorder.Track(result.ToUntracked(dtype), "outer", this, vec2);
    }

    /// <summary>The inner product of two vectors of one length and dtype, as a 0-d tensor (<c>torch.dot</c>).</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d, the lengths differ, or the dtypes differ or are bool.</exception>
    public Tensor Dot(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        LinalgOps.SameDType("dot", DType, tensor.DType);
        LinalgOps.CheckDotShapes(shape, tensor.shape);
        return GradRecorder.Track(DotKernel.Dot(this, tensor), "dot", this, tensor);
    }
}
