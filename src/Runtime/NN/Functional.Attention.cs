using Kiln.Kernels.Attention;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// Scaled dot-product attention (<c>torch.nn.functional.scaled_dot_product_attention</c>):
    /// softmax(query·keyᵀ·scale + mask)·value for query [..., L, E], key [..., S, E] and value [..., S, Ev],
    /// whose batch dims broadcast; the result is [..., L, Ev]. It is computed block by block with an online
    /// softmax, so the L×S score matrix is never held whole.
    /// </summary>
    /// <param name="query">The queries [..., L, E] (a floating dtype shared by key and value).</param>
    /// <param name="key">The keys [..., S, E].</param>
    /// <param name="value">The values [..., S, Ev].</param>
    /// <param name="attnMask">
    /// Optional mask broadcastable to [..., L, S]: bool (true = take part in attention) or float (added to
    /// the scores; float32 or the query's dtype). A query whose keys are all masked gets a row of zeros, as
    /// in PyTorch 2.5 and later.
    /// </param>
    /// <param name="dropoutP">The probability of dropping each attention weight (the others are scaled by 1/(1-p)).</param>
    /// <param name="isCausal">Whether query i attends only to keys j ≤ i (then no <paramref name="attnMask"/> may be given).</param>
    /// <param name="scale">The factor the scores are multiplied by; 1/sqrt(E) when null.</param>
    /// <param name="generator">The generator dropout draws from; the default generator when null.</param>
    /// <exception cref="ArgumentException">The dtypes, shapes or arguments are invalid; the message says which.</exception>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null,
        double dropoutP = 0.0, bool isCausal = false, double? scale = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!GradRecorder.IsNeeded([query, key, value, attnMask]))
            return AttentionKernel.Run(query, key, value, attnMask, dropoutP, isCausal, scale, generator);
        if (dropoutP > 0)
            return AttentionWithDropout(query, key, value, attnMask, dropoutP, isCausal, scale, generator);
        var output = AttentionKernel.Run(query, key, value, attnMask, 0, isCausal, scale, generator);
        var attrs = new IR.Attrs { { "is_causal", isCausal } };
        if (scale is not null) attrs.Add("scale", scale.Value);
        return GradRecorder.Record("scaled_dot_product_attention", attrs, attnMask is null ? [query, key, value] : [query, key, value, attnMask], [output])[0];
    }

    /// <summary>
    /// Attention with dropout under autograd: the decomposition into registered ops runs (and records) op by op,
    /// with one keep mask drawn here, so backward goes through the very mask the forward used.
    /// </summary>
    private static Tensor AttentionWithDropout(Tensor query, Tensor key, Tensor value, Tensor? attnMask, double dropoutP, bool isCausal, double? scale, Generator? generator)
    {
        var check = IR.OpRegistry.Get("scaled_dot_product_attention");
        var types = new List<IR.TensorType> { new(query.DType, query.shape), new(key.DType, key.shape), new(value.DType, value.shape) };
        if (attnMask is not null) types.Add(new IR.TensorType(attnMask.DType, attnMask.shape));
        check.InferTypes(types, new IR.Attrs { { "dropout_p", dropoutP }, { "is_causal", isCausal } });
        long[] scores = [.. Shapes.Broadcast("scaled_dot_product_attention", query.shape[..^2], key.shape[..^2]), query.shape[^2], key.shape[^2]];
        Tensor keep;
        using (Autograd.NoGrad())
        {
            keep = dropoutP >= 1
                ? Tensor.Zeros(scores, query.DType)
                : Tensor.Rand(scores, query.DType, null, generator).Ge(dropoutP).To(query.DType).Mul(1 / (1 - dropoutP));
        }
        var output = IR.Ops.AttentionGradients.Forward(new EagerVjpValue(query), new EagerVjpValue(key), new EagerVjpValue(value),
            attnMask is null ? null : new EagerVjpValue(attnMask), new EagerVjpValue(keep), isCausal, scale);
        return ((EagerVjpValue)output).Tensor;
    }
}
