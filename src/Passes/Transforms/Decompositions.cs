using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Builds the primitive ops that compute what one composite op node computes, before that node (with
/// <see cref="GraphBuilder.Before"/>, so the new nodes keep its source span). Returns the values that
/// replace the node's results, or null, having built nothing, when the node's inputs or attributes are
/// a case the decomposition does not cover.
/// </summary>
internal delegate Value[]? Decomposition(GraphBuilder builder, Node node);

/// <summary>
/// The decompositions of <see cref="Decompose"/>, one per composite op, each following the formula of
/// PyTorch's CPU kernel: constants are 0-d tensors of the input's dtype, reductions keep their dims so
/// results broadcast back, and softmax subtracts the maximum first.
/// </summary>
internal static class Decompositions
{
    private const double SqrtHalf = 0.70710678118654752440;
    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluTanhKappa = 0.044715;

    /// <summary>Every decomposition, by the name of the op it replaces.</summary>
    public static IReadOnlyDictionary<string, Decomposition> Table { get; } = new SortedDictionary<string, Decomposition>(StringComparer.Ordinal)
    {
        ["linear"] = Linear,
        ["silu"] = (b, n) => [Mul(b, n.Operands[0], b.Add("sigmoid", [n.Operands[0]]))],
        ["gelu"] = Gelu,
        ["softmax"] = (b, n) => AlongDim(n, out long dim) ? [Softmax(b, n.Operands[0], dim, log: false)] : null,
        ["log_softmax"] = (b, n) => AlongDim(n, out long dim) ? [Softmax(b, n.Operands[0], dim, log: true)] : null,
        ["mse_loss"] = MseLoss,
        ["layer_norm"] = LayerNorm,
        ["scaled_dot_product_attention"] = Attention,
    };

    /// <summary><c>input · weightᵀ + bias</c>: a matmul with the transposed weight (a 1-d weight is a vector), then the bias added.</summary>
    private static Value[] Linear(GraphBuilder b, Node n)
    {
        var (input, weight) = (n.Operands[0], n.Operands[1]);
        var product = b.Add("matmul", [input, weight.TensorType.Rank == 2 ? Transpose(b, weight, 0, 1) : weight]);
        return [n.Operands.Count == 3 ? b.Add("add", [product, n.Operands[2]]) : product];
    }

    /// <summary>
    /// Exact GELU, <c>x · 0.5 · (1 + erf(x / √2))</c>, or its tanh approximation,
    /// <c>x · 0.5 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))</c>.
    /// </summary>
    private static Value[] Gelu(GraphBuilder b, Node n)
    {
        var x = n.Operands[0];
        Value curve;
        if (n.Attrs.GetString("approximate", "none") == "tanh")
        {
            var cube = Mul(b, Mul(b, x, x), x);
            var inner = Mul(b, b.Add("add", [x, Mul(b, cube, Scalar(b, GeluTanhKappa, x))]), Scalar(b, SqrtTwoOverPi, x));
            curve = b.Add("tanh", [inner]);
        }
        else
        {
            curve = b.Add("erf", [Mul(b, x, Scalar(b, SqrtHalf, x))]);
        }
        return [Mul(b, Mul(b, x, Scalar(b, 0.5, x)), b.Add("add", [curve, Scalar(b, 1, x)]))];
    }

    /// <summary>
    /// <c>exp(x - m) / sum(exp(x - m))</c>, or for log_softmax <c>(x - m) - log(sum(exp(x - m)))</c>, with
    /// <c>m</c> the maximum along the dim, so no exp overflows.
    /// </summary>
    private static Value Softmax(GraphBuilder b, Value x, long dim, bool log)
    {
        var along = new Attrs { { "dim", new[] { dim } }, { "keepdim", true } };
        var shifted = b.Add("sub", [x, b.Add("amax", [x], along)]);
        var exp = b.Add("exp", [shifted]);
        var total = b.Add("sum", [exp], along);
        return log ? b.Add("sub", [shifted, b.Add("log", [total])]) : b.Add("div", [exp, total]);
    }

    /// <summary>
    /// The softmax's dim, when the decomposition applies: amax has no value for an empty dim, so a dim of
    /// constant size 0 keeps the op.
    /// </summary>
    private static bool AlongDim(Node n, out long dim)
    {
        dim = n.Attrs.GetLong("dim", 0);
        var shape = n.Operands[0].TensorType.Shape;
        return shape.Count == 0 || shape[(int)(dim < 0 ? dim + shape.Count : dim)] != Dim.Of(0);
    }

    /// <summary>The squared differences (input and target first converted to the loss's dtype), then their mean, their sum, or themselves.</summary>
    private static Value[]? MseLoss(GraphBuilder b, Node n)
    {
        string reduction = n.Attrs.GetString("reduction", "mean");
        if (reduction is not ("none" or "mean" or "sum")) return null;
        var dtype = n.Result.TensorType.DType;
        var diff = b.Add("sub", [To(b, n.Operands[0], dtype), To(b, n.Operands[1], dtype)]);
        var squared = Mul(b, diff, diff);
        return [reduction == "none" ? squared : b.Add(reduction, [squared])];
    }

    /// <summary>
    /// <c>(x - mean) · rsqrt(var + eps)</c> over the trailing <c>normalized_shape</c> dims (the biased
    /// variance, as the mean of squared deviations), times the weight and plus the bias when given.
    /// </summary>
    private static Value[]? LayerNorm(GraphBuilder b, Node n)
    {
        int count = n.Attrs.GetLongs("normalized_shape").Length;
        // An empty dim list would mean every dim to mean(); layer norm over no dims is not worth a case.
        if (count == 0) return null;
        var x = n.Operands[0];
        var over = new Attrs { { "dim", Enumerable.Range(-count, count).Select(d => (long)d).ToArray() }, { "keepdim", true } };
        var centred = b.Add("sub", [x, b.Add("mean", [x], over)]);
        var variance = b.Add("mean", [Mul(b, centred, centred)], over);
        var rstd = b.Add("rsqrt", [b.Add("add", [variance, Scalar(b, n.Attrs.GetDouble("eps", 1e-5), x)])]);
        var y = Mul(b, centred, rstd);
        if (n.Operands.Count > 1) y = Mul(b, y, n.Operands[1]);
        if (n.Operands.Count > 2) y = b.Add("add", [y, n.Operands[2]]);
        return [y];
    }

    /// <summary>
    /// <c>softmax(query · keyᵀ · scale) · value</c>, for attention without a mask, causal masking or dropout
    /// (PyTorch gives rows whose keys are all masked zeros, which a plain softmax does not), with the
    /// default scale 1/√E only when E is a constant above 0.
    /// </summary>
    private static Value[]? Attention(GraphBuilder b, Node n)
    {
        if (n.Operands.Count > 3 || n.Attrs.GetBool("is_causal", false) || n.Attrs.GetDouble("dropout_p", 0) != 0) return null;
        var (query, key, value) = (n.Operands[0], n.Operands[1], n.Operands[2]);
        var e = query.TensorType.Shape[^1];
        double? scale = n.Attrs.GetOptionalDouble("scale") ?? (e.IsConstant && e.Size > 0 ? 1 / Math.Sqrt(e.Size) : null);
        if (scale is not { } factor) return null;
        var scores = Mul(b, b.Add("matmul", [query, Transpose(b, key, -2, -1)]), Scalar(b, factor, query));
        return [b.Add("matmul", [b.Add("softmax", [scores], new Attrs { { "dim", -1 } }), value])];
    }

    private static Value Mul(GraphBuilder b, Value x, Value y) => b.Add("mul", [x, y]);

    private static Value Transpose(GraphBuilder b, Value x, long dim0, long dim1) =>
        b.Add("transpose", [x], new Attrs { { "dim0", dim0 }, { "dim1", dim1 } });

    private static Value To(GraphBuilder b, Value x, DType dtype) =>
        x.TensorType.DType == dtype ? x : b.Add("to", [x], new Attrs { { "dtype", dtype } });

    /// <summary>A 0-d constant of <paramref name="like"/>'s dtype (so it never changes the result's dtype).</summary>
    private static Value Scalar(GraphBuilder b, double value, Value like) =>
        b.Constant(DenseConstant.Splat(TensorValueType.Of(like.TensorType.DType), value));
}
