namespace Kiln.IR.Ops;

/// <summary>
/// Attention: <c>scaled_dot_product_attention</c> with PyTorch 2's semantics (the <c>scale</c> keyword, a
/// boolean or additive mask, causal masking, rows whose keys are all masked giving zeros). The rules are
/// public so the eager kernel checks its inputs with the same code.
/// </summary>
public static class AttentionOps
{
    private const string Sdpa = "scaled_dot_product_attention";

    /// <summary>
    /// <c>torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, scale)</c>:
    /// softmax(query·keyᵀ·scale + mask)·value for query [..., L, E], key [..., S, E] and value [..., S, Ev]
    /// whose batch dims broadcast. A dropout_p above 0 draws random numbers (its samples keep it at 0).
    /// </summary>
    public static OpDef ScaledDotProductAttention { get; } = new()
    {
        Name = Sdpa,
        Family = "attention",
        Inputs = ["query", "key", "value", "attn_mask"],
        RequiredInputs = 3,
        Attributes = [new("dropout_p", "float", 0.0), new("is_causal", "bool", false), new("scale", "float")],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            if (inputs.Count is not (3 or 4))
                throw new ArgumentException($"{Sdpa}: expected 3 or 4 inputs (query, key, value, attn_mask), got {inputs.Count}");
            var mask = inputs.Count == 4 ? inputs[3] : null;
            CheckAttributes(attrs.GetDouble("dropout_p", 0), attrs.GetBool("is_causal", false), mask is not null);
            CheckDTypes(inputs[0].DType, inputs[1].DType, inputs[2].DType, mask?.DType);
            return [new TensorType(inputs[0].DType, ResultShape(inputs[0].Shape, inputs[1].Shape, inputs[2].Shape, mask?.Shape))];
        },
        Samples = AttentionSamples.All,
        Gradient = AttentionGradients.ScaledDotProductAttention,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [ScaledDotProductAttention];

    /// <summary>
    /// Checks the attributes: dropout_p in [0, 1], and no explicit mask together with is_causal (PyTorch
    /// refuses the pair rather than combining them).
    /// </summary>
    /// <exception cref="ArgumentException">dropout_p is outside [0, 1], or both a mask and is_causal are given.</exception>
    public static void CheckAttributes(double dropoutP, bool isCausal, bool hasMask)
    {
        if (!(dropoutP >= 0 && dropoutP <= 1))
            throw new ArgumentException($"{Sdpa}: dropout probability has to be between 0 and 1, but got dropout_p={dropoutP}");
        if (isCausal && hasMask)
            throw new ArgumentException($"{Sdpa}: an explicit attn_mask should not be set when is_causal=True (PyTorch refuses the pair; fold the causal mask into attn_mask instead)");
    }

    /// <summary>
    /// Checks the dtypes: query, key and value share one floating dtype; the mask is bool (true = attend),
    /// float32, or the query's dtype (added to the scores).
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes differ, are not floating-point, or the mask's dtype is not allowed.</exception>
    public static void CheckDTypes(DType query, DType key, DType value, DType? mask)
    {
        if (query != key || query != value)
            throw new ArgumentException($"{Sdpa}: expected query, key and value to have the same dtype, but got query {query.Name()}, key {key.Name()} and value {value.Name()}");
        if (!query.IsFloatingPoint())
            throw new ArgumentException($"{Sdpa}: expected floating-point query, key and value, but got {query.Name()}");
        if (mask is { } m && m != DType.Bool && m != DType.Float32 && m != query)
            throw new ArgumentException($"{Sdpa}: expected attn_mask dtype to be bool or float32 or to match the query dtype, but got attn_mask {m.Name()} and query {query.Name()}");
    }

    /// <summary>
    /// The result shape [batch..., L, Ev]: query, key and value must be at least 2-d, query and key must
    /// agree on E, key and value on S; the batch dims of query and key broadcast, the mask must broadcast to
    /// the scores [batch..., L, S], and value's batch dims broadcast with them.
    /// </summary>
    /// <exception cref="ArgumentException">A rank, size or broadcast does not fit; the message names the shapes.</exception>
    public static long[] ResultShape(long[] query, long[] key, long[] value, long[]? mask)
    {
        string shapes = $"query {Shapes.Format(query)}, key {Shapes.Format(key)}, value {Shapes.Format(value)}";
        if (query.Length < 2 || key.Length < 2 || value.Length < 2)
            throw new ArgumentException($"{Sdpa}: expected query, key and value to be at least 2-d, but got {shapes}");
        if (query[^1] != key[^1])
            throw new ArgumentException($"{Sdpa}: query and key must have the same embedding size (last dim), but got {shapes} ({query[^1]} != {key[^1]})");
        if (key[^2] != value[^2])
            throw new ArgumentException($"{Sdpa}: key and value must have the same sequence length (dim -2), but got {shapes} ({key[^2]} != {value[^2]})");
        long[] scoreBatch = BroadcastBatch(query[..^2], key[..^2], shapes);
        long[] scores = [.. scoreBatch, query[^2], key[^2]];
        if (mask is not null && !Shapes.CanExpand(mask, scores))
            throw new ArgumentException($"{Sdpa}: attn_mask of shape {Shapes.Format(mask)} does not broadcast to the attention scores {Shapes.Format(scores)} ({shapes})");
        return [.. BroadcastBatch(scoreBatch, value[..^2], shapes), query[^2], value[^1]];
    }

    private static long[] BroadcastBatch(long[] a, long[] b, string shapes)
    {
        try
        {
            return Shapes.Broadcast(Sdpa, a, b);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{Sdpa}: the batch dims {Shapes.Format(a)} and {Shapes.Format(b)} do not broadcast ({shapes})");
        }
    }
}
