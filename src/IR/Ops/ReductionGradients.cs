using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the reduction family, following PyTorch 1.13's derivatives (ties of amax/amin
/// share the gradient evenly, prod and cumprod are exact at zeros, the norms take torch's subgradient
/// at 0). Each rule only calls registered ops, so it serves eager autograd and graph autodiff alike.
/// </summary>
internal static class ReductionGradients
{
    /// <summary>sum: the gradient broadcast back over the reduced dims.</summary>
    internal static VjpValue?[] Sum(VjpContext c) => [Unreduce(c, c.Grad, DimList(c))];

    /// <summary>mean: the gradient broadcast back and divided by the number of elements averaged.</summary>
    internal static VjpValue?[] Mean(VjpContext c)
    {
        var dims = DimList(c);
        return [Unreduce(c, c.Grad / ReducedCount(c.Input(0).Shape, Mask(c, dims)), dims)];
    }

    /// <summary>
    /// prod: the product of the other elements. Computed from the product of the nonzero elements, so it
    /// is exact where elements are zero (one zero: only it gets a gradient; two or more: none does).
    /// </summary>
    internal static VjpValue?[] Prod(VjpContext c)
    {
        var x = c.Input(0);
        var dims = c.Attrs.GetLongs("dim");
        var keep = KeptShape(c, dims);
        var isZero = x.Call("eq", null, x.Const(0));
        var zeros = isZero.Sum(dims, keepdim: true).Reshape(keep);
        var safe = Where(isZero, x.Const(1), x);
        var nonzeroProduct = (dims.Length == 0 ? safe.Call("prod") : safe.Call("prod", new Attrs { { "dim", dims[0] }, { "keepdim", true } })).Reshape(keep);
        var whereZero = Where(zeros.Call("eq", null, zeros.Const(1)), nonzeroProduct, x.Const(0));
        var elsewhere = Where(zeros.Call("eq", null, zeros.Const(0)), nonzeroProduct / safe, x.Const(0));
        return [c.Grad.Reshape(keep) * Where(isZero, whereZero, elsewhere)];
    }

    /// <summary>amax / amin: the gradient shared evenly among the elements equal to the result.</summary>
    internal static VjpValue?[] Extremum(VjpContext c)
    {
        var x = c.Input(0);
        var dims = DimList(c);
        var keep = KeptShape(c, dims);
        var mask = x.Call("eq", null, c.Outputs[0].Reshape(keep)).To(x.DType);
        var share = c.Grad.Reshape(keep) / mask.Sum(dims, keepdim: true);
        return [share * mask];
    }

    /// <summary>max / min along a dim: the values' gradient written at the indices, zeros elsewhere.</summary>
    internal static VjpValue?[] WithIndices(VjpContext c)
    {
        var x = c.Input(0);
        if (x.Rank == 0) return [c.Grad];
        long dim = c.Attrs.GetLong("dim", 0);
        var keep = KeptShape(c, [dim]);
        return [x.ZerosLike().Call("scatter", new Attrs { { "dim", dim } }, c.Outputs[1].Reshape(keep), c.Grad.Reshape(keep))];
    }

    /// <summary>var: 2 (x - mean) / (N - correction) times the gradient.</summary>
    internal static VjpValue?[] Var(VjpContext c) => [SpreadGrad(c, c.Grad.Reshape(KeptShape(c, DimList(c))))];

    /// <summary>std: the var rule applied to grad / (2 std), zero where std is zero (as torch).</summary>
    internal static VjpValue?[] Std(VjpContext c)
    {
        var keep = KeptShape(c, DimList(c));
        var std = c.Outputs[0].Reshape(keep);
        var gradVar = Where(std.Call("eq", null, std.Const(0)), std.Const(0), c.Grad.Reshape(keep) / (std * 2));
        return [SpreadGrad(c, gradVar)];
    }

    /// <summary>logsumexp: the gradient times softmax(x) = exp(x - result).</summary>
    internal static VjpValue?[] Logsumexp(VjpContext c)
    {
        var keep = KeptShape(c, DimList(c));
        return [c.Grad.Reshape(keep) * (c.Input(0) - c.Outputs[0].Reshape(keep)).Call("exp")];
    }

    /// <summary>
    /// The vector norm (torch's norm_backward): 0 for p = 0, sign(x) for p = 1, x / norm for p = 2 (0 where the
    /// norm is 0), the even share among the extreme magnitudes for p = ±inf, sign(x)|x|^(p-1) / norm^(p-1) otherwise.
    /// </summary>
    internal static VjpValue?[] Norm(VjpContext c)
    {
        var x = c.Input(0);
        double p = c.Attrs.GetDouble("p", 2);
        if (p == 0) return [x.ZerosLike()];
        var dims = DimList(c);
        var keep = KeptShape(c, dims);
        var grad = c.Grad.Reshape(keep);
        if (p == 1) return [x.Call("sign") * grad];
        var norm = c.Outputs[0].Reshape(keep);
        var normIsZero = norm.Call("eq", null, norm.Const(0));
        if (p == 2) return [grad * Where(normIsZero, x.Const(0), x / norm)];
        var abs = x.Call("abs");
        if (double.IsInfinity(p))
        {
            var mask = abs.Call("eq", null, norm).Call("logical_or", null, abs.Call("isnan")).To(x.DType);
            return [x.Call("sign") * (grad / mask.Sum(dims, keepdim: true) * mask)];
        }
        if (p < 1)
        {
            var scaled = x.Call("sign") * Where(x.Call("eq", null, x.Const(0)), x.Const(0), Pow(abs, p - 1));
            return [scaled * grad * Pow(norm, 1 - p)];
        }
        var scale = Where(normIsZero, x.Const(0), grad / Pow(norm, p - 1));
        var self = p < 2 ? x.Call("sign") * Pow(abs, p - 1) : x * Pow(abs, p - 2);
        return [self * scale];
    }

    /// <summary>softmax, from its output y: y (g - sum(g y)).</summary>
    internal static VjpValue?[] Softmax(VjpContext c)
    {
        var y = c.Outputs[0];
        long[] dim = [c.Attrs.GetLong("dim", 0)];
        var gy = c.Grad * y;
        return [gy - y * gy.Sum(dim, keepdim: true)];
    }

    /// <summary>log_softmax, from its output y: g - exp(y) sum(g).</summary>
    internal static VjpValue?[] LogSoftmax(VjpContext c)
    {
        long[] dim = [c.Attrs.GetLong("dim", 0)];
        return [c.Grad - c.Outputs[0].Call("exp") * c.Grad.Sum(dim, keepdim: true)];
    }

    /// <summary>cumsum: the reversed running sum of the gradient.</summary>
    internal static VjpValue?[] Cumsum(VjpContext c) =>
        [c.Input(0).Rank == 0 ? c.Grad : ReverseCumsum(c.Grad, c.Attrs.GetLong("dim", 0))];

    /// <summary>
    /// cumprod: reverse_cumsum(g·y) / x where x is nonzero; at the first zero of a line the same sum taken
    /// with that zero replaced by 1; zero at later zeros (torch's cumprod_backward, without branching on data).
    /// </summary>
    internal static VjpValue?[] Cumprod(VjpContext c)
    {
        var x = c.Input(0);
        if (x.Rank == 0) return [c.Grad];
        long dim = c.Attrs.GetLong("dim", 0);
        var dimAttrs = new Attrs { { "dim", dim } };
        var isZero = x.Call("eq", null, x.Const(0));
        var zerosSoFar = isZero.Call("cumsum", dimAttrs);
        var firstZero = isZero.Call("logical_and", null, zerosSoFar.Call("eq", null, zerosSoFar.Const(1)));
        var nonzero = ReverseCumsum(c.Grad * c.Outputs[0], dim) / Where(isZero, x.Const(1), x);
        var withoutFirstZero = Where(firstZero, x.Const(1), x).Call("cumprod", dimAttrs);
        var atFirstZero = ReverseCumsum(c.Grad * withoutFirstZero, dim);
        return [Where(firstZero, atFirstZero, Where(isZero, x.Const(0), nonzero))];
    }

    /// <summary>The dims an op with a dim-list attribute reduced (empty: all).</summary>
    private static long[] DimList(VjpContext c) => c.Attrs.GetLongs("dim");

    private static bool[] Mask(VjpContext c, long[] dims) => ReductionOps.ReducedDims("gradient", c.Input(0).Shape, dims);

    /// <summary>The result shape with the reduced dims kept as size 1.</summary>
    private static long[] KeptShape(VjpContext c, long[] dims) => ReductionOps.ReducedShape(c.Input(0).Shape, Mask(c, dims), keepdim: true);

    /// <summary>A gradient of the result's shape, broadcast back to the input's shape.</summary>
    private static VjpValue Unreduce(VjpContext c, VjpValue grad, long[] dims) => grad.Reshape(KeptShape(c, dims)).Expand(c.Input(0).Shape);

    private static long ReducedCount(long[] shape, bool[] mask)
    {
        long n = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            if (mask[d]) n *= shape[d];
        }
        return n;
    }

    /// <summary>The var rule for a gradient already in the kept shape: 2 (x - mean) / (N - correction) times it.</summary>
    private static VjpValue SpreadGrad(VjpContext c, VjpValue grad)
    {
        var x = c.Input(0);
        var dims = DimList(c);
        double dof = ReducedCount(x.Shape, Mask(c, dims)) - c.Attrs.GetDouble("correction", 1);
        var centred = x - x.Call("mean", new Attrs { { "dim", dims }, { "keepdim", true } });
        return grad * centred * (2 / dof);
    }

    private static VjpValue ReverseCumsum(VjpValue v, long dim)
    {
        var flip = new Attrs { { "dims", new[] { dim } } };
        return v.Call("flip", flip).Call("cumsum", new Attrs { { "dim", dim } }).Call("flip", flip);
    }

    private static VjpValue Where(VjpValue condition, VjpValue ifTrue, VjpValue ifFalse) => condition.Call("where", null, ifTrue, ifFalse);

    private static VjpValue Pow(VjpValue v, double exponent) => v.Call("pow", null, v.Const(exponent));
}
