using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// scaled_dot_product_attention as a decomposition into registered ops, and its gradient. The fused forward
/// kernel keeps no attention matrix, so the rule recomputes P = softmax(Q·Kᵀ·scale + mask) once, then
/// dV = Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − rowsum(dO·Vᵀ ⊙ P)), dQ = dS·K·scale, dK = dSᵀ·Q·scale (summed back over
/// broadcast batch dims). Dropout draws random numbers the rule cannot redraw: callers that need gradients
/// through dropout run <see cref="Forward"/> with their own keep mask, so each op records itself.
/// </summary>
public static class AttentionGradients
{
    /// <summary>The gradient of scaled_dot_product_attention without dropout.</summary>
    /// <exception cref="NotSupportedException">The call used dropout (its mask is not known to the rule).</exception>
    public static VjpRule ScaledDotProductAttention { get; } = c =>
    {
        if (c.Attrs.GetDouble("dropout_p", 0) > 0)
            throw new NotSupportedException("scaled_dot_product_attention: the gradient rule cannot replay dropout; with dropout_p > 0 record the decomposition (AttentionGradients.Forward) instead");
        var (query, key, value) = (c.Input(0), c.Input(1), c.Input(2));
        var mask = c.Inputs.Count > 3 ? c.Inputs[3] : null;
        double scale = Scale(c.Attrs, query);
        var p = Probabilities(query, key, mask, c.Attrs.GetBool("is_causal", false), scale);
        var grad = c.Grad;
        var dp = grad.Call("matmul", null, value.Transpose(-2, -1));
        var ds = p * (dp - (dp * p).Sum([-1], keepdim: true));
        var result = new VjpValue?[c.Inputs.Count];
        if (c.NeedsInputGrad[0]) result[0] = (ds.Call("matmul", null, key) * scale).SumTo(query.Shape, query.DType);
        if (c.NeedsInputGrad[1]) result[1] = (ds.Transpose(-2, -1).Call("matmul", null, query) * scale).SumTo(key.Shape, key.DType);
        if (c.NeedsInputGrad[2]) result[2] = p.Transpose(-2, -1).Call("matmul", null, grad).SumTo(value.Shape, value.DType);
        if (mask is not null && mask.DType != DType.Bool && c.NeedsInputGrad[3]) result[3] = ds.SumTo(mask.Shape, mask.DType);
        return result;
    };

    /// <summary>
    /// The attention output through registered ops: P = softmax(Q·Kᵀ·scale + mask), times <paramref name="keep"/>
    /// (dropout's kept elements scaled by 1/(1 − p), or null), times V.
    /// </summary>
    public static VjpValue Forward(VjpValue query, VjpValue key, VjpValue value, VjpValue? mask, VjpValue? keep, bool isCausal, double? scale)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        var p = Probabilities(query, key, mask, isCausal, scale ?? 1 / Math.Sqrt(query.Shape[^1]));
        if (keep is not null) p *= keep;
        return p.Call("matmul", null, value);
    }

    /// <summary>
    /// softmax(Q·Kᵀ·scale + mask) over the keys. A boolean mask (true = attend) and is_causal (query i sees keys
    /// 0..i) set the others to −∞; rows with every key masked are zeros, as the fused kernel gives.
    /// </summary>
    private static VjpValue Probabilities(VjpValue query, VjpValue key, VjpValue? mask, bool isCausal, double scale)
    {
        var scores = query.Call("matmul", null, key.Transpose(-2, -1));
        // With head size 0 the scores are all zero and the default scale is infinite: leave them zero, as torch does.
        if (query.Shape[^1] > 0) scores *= scale;
        if (isCausal)
        {
            var ones = query.Emitter.Zeros(query.DType, [query.Shape[^2], key.Shape[^2]]) + 1;
            mask = ones.Call("tril", new Attrs { { "diagonal", 0L } }).To(DType.Bool);
        }
        if (mask is null)
            return scores.Call("softmax", new Attrs { { "dim", -1L } });
        scores = mask.DType == DType.Bool
            ? mask.Call("where", null, scores, scores.Const(double.NegativeInfinity))
            : scores + mask.To(scores.DType);
        var p = scores.Call("softmax", new Attrs { { "dim", -1L } });
        return p.Call("isnan").Call("where", null, p.Const(0), p);
    }

    private static double Scale(Attrs attrs, VjpValue query) => attrs.GetOptionalDouble("scale") ?? 1 / Math.Sqrt(query.Shape[^1]);
}
