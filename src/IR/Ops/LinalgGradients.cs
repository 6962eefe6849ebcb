using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the matrix products. Transposed operands are passed as transpose views, which
/// the GEMM reads through their strides, so no transpose is ever copied.
/// </summary>
internal static class LinalgGradients
{
    /// <summary>
    /// matmul: with 1-d operands lifted to matrices, dA = dC·Bᵀ and dB = Aᵀ·dC, summed over the batch dims
    /// each operand was broadcast along.
    /// </summary>
    internal static VjpValue?[] Matmul(VjpContext c)
    {
        VjpValue a = c.Input(0), b = c.Input(1), grad = c.Grad;
        if (a.Rank == 1 && b.Rank == 1)
            return [c.NeedsInputGrad[0] ? grad * b : null, c.NeedsInputGrad[1] ? grad * a : null];
        var a2 = a.Rank == 1 ? a.Reshape([1, a.Shape[0]]) : a;
        var b2 = b.Rank == 1 ? b.Reshape([b.Shape[0], 1]) : b;
        int batchRank = grad.Rank - (a.Rank >= 2 ? 1 : 0) - (b.Rank >= 2 ? 1 : 0);
        long m = a2.Shape[^2], k = a2.Shape[^1], n = b2.Shape[^1];
        var grad2 = grad.Reshape([.. grad.Shape[..batchRank], m, n]);
        VjpValue? gradA = null, gradB = null;
        if (c.NeedsInputGrad[0])
            gradA = Product(grad2, MT(b2)).SumTo(a2.Shape, a.DType).Reshape(a.Shape);
        if (c.NeedsInputGrad[1])
        {
            // A batched A against a matrix B: fold the batch into the rows, one product instead of a sum of many.
            long rows = Shapes.Numel(a2.Shape.AsSpan(0, a2.Rank - 1));
            gradB = b2.Rank == 2 && a2.Rank > 2
                ? Product(MT(a2.Reshape([rows, k])), grad2.Reshape([rows, n]))
                : Product(MT(a2), grad2).SumTo(b2.Shape, b.DType);
            gradB = gradB.Reshape(b.Shape);
        }
        return [gradA, gradB];
    }

    /// <summary>bmm: dA = dC·Bᵀ, dB = Aᵀ·dC per batch entry.</summary>
    internal static VjpValue?[] Bmm(VjpContext c)
    {
        VjpValue a = c.Input(0), b = c.Input(1), grad = c.Grad;
        return [
            c.NeedsInputGrad[0] ? grad.Call("bmm", null, MT(b)) : null,
            c.NeedsInputGrad[1] ? MT(a).Call("bmm", null, grad) : null];
    }

    /// <summary>
    /// linear (y = x·Wᵀ + b): dx = dy·W, dW = dyᵀ·x over all the input's leading dims as rows, db = dy summed
    /// to the bias's shape; for a 1-d weight, dx = dy ⊗ w and dw = dy·x.
    /// </summary>
    internal static VjpValue?[] Linear(VjpContext c)
    {
        VjpValue x = c.Input(0), w = c.Input(1), grad = c.Grad;
        long inFeatures = w.Shape[^1];
        long rows = Shapes.Numel(x.Shape.AsSpan(0, x.Rank - 1));
        VjpValue? gradX = null, gradW = null, gradBias = null;
        if (w.Rank == 2)
        {
            long outFeatures = w.Shape[0];
            if (c.NeedsInputGrad[0]) gradX = Product(grad, w);
            if (c.NeedsInputGrad[1]) gradW = Product(MT(grad.Reshape([rows, outFeatures])), x.Reshape([rows, inFeatures]));
        }
        else
        {
            if (c.NeedsInputGrad[0]) gradX = grad.Reshape([.. grad.Shape, 1]) * w;
            if (c.NeedsInputGrad[1]) gradW = Product(grad.Reshape([rows]), x.Reshape([rows, inFeatures]));
        }
        if (c.Inputs.Count > 2 && c.Inputs[2] is { } bias && c.NeedsInputGrad[2])
            gradBias = grad.SumTo(bias.Shape, bias.DType);
        return [gradX, gradW, gradBias];
    }

    /// <summary>outer (C = a ⊗ b): da = C'·b, db = aᵀ·C' (in the result's dtype, which may be promoted).</summary>
    internal static VjpValue?[] Outer(VjpContext c)
    {
        VjpValue a = c.Input(0), b = c.Input(1), grad = c.Grad;
        return [
            c.NeedsInputGrad[0] ? Product(grad, b.To(grad.DType)) : null,
            c.NeedsInputGrad[1] ? Product(a.To(grad.DType), grad) : null];
    }

    /// <summary>dot: each vector's gradient is the other times the (0-d) incoming gradient.</summary>
    internal static VjpValue?[] Dot(VjpContext c) =>
        [c.NeedsInputGrad[0] ? c.Grad * c.Input(1) : null, c.NeedsInputGrad[1] ? c.Grad * c.Input(0) : null];

    private static VjpValue Product(VjpValue a, VjpValue b) => a.Call("matmul", null, b);

    /// <summary>The transpose of the last two dims, as a view.</summary>
    private static VjpValue MT(VjpValue v) => v.Transpose(-2, -1);
}
