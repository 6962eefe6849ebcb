namespace Kiln.NN;

/// <summary>
/// Multi-head attention (<c>torch.nn.MultiheadAttention</c>): query, key and value projected per head, scaled
/// dot-product attention with optional masks, heads concatenated and projected. Parameters as PyTorch names them
/// (<c>in_proj_weight</c>, <c>in_proj_bias</c>, <c>out_proj.weight</c> ...; separate <c>q/k/v_proj_weight</c> when
/// the key or value size differs).
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly Linear outProj;

    /// <summary>Attention over <paramref name="embedDim"/> features split into <paramref name="numHeads"/> heads.</summary>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not divisible by <paramref name="numHeads"/>, or dropout is outside [0, 1].</exception>
    public MultiheadAttention(long embedDim, long numHeads, double dropout = 0, bool bias = true, long? kdim = null, long? vdim = null,
        bool batchFirst = false, DType dtype = DType.Float32)
    {
        LayerChecks.Positive("MultiheadAttention", ("embedDim", embedDim), ("numHeads", numHeads));
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embedDim ({embedDim}) must be divisible by numHeads ({numHeads})");
        if (dropout is < 0 or > 1 || double.IsNaN(dropout))
            throw new ArgumentException($"MultiheadAttention: dropout must be between 0 and 1, got {dropout}");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        DropoutP = dropout;
        BatchFirst = batchFirst;
        KDim = kdim ?? embedDim;
        VDim = vdim ?? embedDim;
        if (KDim == embedDim && VDim == embedDim)
        {
            var inProj = LayerChecks.NewParameter("MultiheadAttention", [3 * embedDim, embedDim], dtype);
            Init.XavierUniform_(inProj);
            RegisterParameter("in_proj_weight", inProj);
        }
        else
        {
            foreach (var (name, size) in new[] { ("q_proj_weight", embedDim), ("k_proj_weight", KDim), ("v_proj_weight", VDim) })
            {
                var w = LayerChecks.NewParameter("MultiheadAttention", [embedDim, size], dtype);
                Init.XavierUniform_(w);
                RegisterParameter(name, w);
            }
        }
        if (bias) RegisterParameter("in_proj_bias", LayerChecks.NewParameter("MultiheadAttention", [3 * embedDim], dtype));
        outProj = new Linear(embedDim, embedDim, bias, dtype);
        if (outProj.Bias is { } b) Init.Zeros_(b);
    }

    /// <summary>The number of features of queries and outputs.</summary>
    public long EmbedDim { get; }

    /// <summary>The number of heads.</summary>
    public long NumHeads { get; }

    /// <summary>The number of features of keys.</summary>
    public long KDim { get; }

    /// <summary>The number of features of values.</summary>
    public long VDim { get; }

    /// <summary>Dropout on the attention weights, in training.</summary>
    public double DropoutP { get; }

    /// <summary>Whether inputs are (batch, seq, feature) rather than (seq, batch, feature).</summary>
    public bool BatchFirst { get; }

    /// <summary>
    /// Attends from <paramref name="query"/> to <paramref name="key"/>/<paramref name="value"/>. Masks: <paramref name="keyPaddingMask"/>
    /// [N, S] (true = ignore that key), <paramref name="attnMask"/> [L, S] or [N·heads, L, S] (bool: true = not allowed; float: added
    /// to the scores). Returns the output and, with <paramref name="needWeights"/>, the attention weights [N, L, S] (averaged over
    /// heads unless <paramref name="averageAttnWeights"/> is false: [N, heads, L, S]). Unbatched 2-d inputs are accepted.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not agree.</exception>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true,
        Tensor? attnMask = null, bool averageAttnWeights = true, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool unbatched = query.Dim == 2;
        if (unbatched)
        {
            var (o, w) = Forward(query.Unsqueeze(1), key.Unsqueeze(1), value.Unsqueeze(1), keyPaddingMask?.Unsqueeze(0), needWeights, attnMask, averageAttnWeights, isCausal);
            return (o.Squeeze(1), w?.Squeeze(0));
        }
        if (BatchFirst) (query, key, value) = (query.Transpose(0, 1), key.Transpose(0, 1), value.Transpose(0, 1));
        if (query.Dim != 3 || query.shape[2] != EmbedDim || key.Dim != 3 || value.Dim != 3 || key.shape[2] != KDim || value.shape[2] != VDim
            || key.shape[0] != value.shape[0] || key.shape[1] != query.shape[1] || value.shape[1] != query.shape[1])
            throw new ArgumentException($"MultiheadAttention: query {Shapes.Format(query.shape)}, key {Shapes.Format(key.shape)} and value {Shapes.Format(value.shape)} " +
                $"must be (seq, batch, {EmbedDim}), (seq, batch, {KDim}) and (seq, batch, {VDim}) with matching batch and key/value lengths");
        long tgt = query.shape[0], src = key.shape[0], batch = query.shape[1], headDim = EmbedDim / NumHeads;
        var (q, k, v) = Project(query, key, value);
        q = Heads(q, tgt, batch, headDim) * (1 / Math.Sqrt(headDim));
        k = Heads(k, src, batch, headDim);
        v = Heads(v, src, batch, headDim);
        var scores = q.Matmul(k.Transpose(1, 2));
        scores = ApplyMasks(scores, attnMask, keyPaddingMask, isCausal, batch, tgt, src);
        var weights = Functional.Softmax(scores, -1);
        if (DropoutP > 0 && Training) weights = Functional.Dropout(weights, DropoutP, training: true);
        var attended = weights.Matmul(v).Transpose(0, 1).Reshape(tgt, batch, EmbedDim);
        var output = outProj.Forward(attended);
        if (BatchFirst) output = output.Transpose(0, 1);
        if (!needWeights) return (output, null);
        var perHead = weights.View(batch, NumHeads, tgt, src);
        return (output, averageAttnWeights ? perHead.Mean([1]) : perHead);
    }

    private (Tensor Q, Tensor K, Tensor V) Project(Tensor query, Tensor key, Tensor value)
    {
        var named = NamedParameters(recurse: false).ToDictionary(p => p.Name, p => (Tensor)p.Parameter);
        var bias = named.GetValueOrDefault("in_proj_bias");
        Tensor? Bias(int i) => bias?.Narrow(0, i * EmbedDim, EmbedDim);
        if (named.TryGetValue("in_proj_weight", out var w))
        {
            return (Functional.Linear(query, w.Narrow(0, 0, EmbedDim), Bias(0)),
                Functional.Linear(key, w.Narrow(0, EmbedDim, EmbedDim), Bias(1)),
                Functional.Linear(value, w.Narrow(0, 2 * EmbedDim, EmbedDim), Bias(2)));
        }
        return (Functional.Linear(query, named["q_proj_weight"], Bias(0)),
            Functional.Linear(key, named["k_proj_weight"], Bias(1)),
            Functional.Linear(value, named["v_proj_weight"], Bias(2)));
    }

    /// <summary>[seq, N, E] → [N·heads, seq, headDim].</summary>
    private Tensor Heads(Tensor x, long seq, long batch, long headDim) => x.Reshape(seq, batch * NumHeads, headDim).Transpose(0, 1);

    private Tensor ApplyMasks(Tensor scores, Tensor? attnMask, Tensor? keyPaddingMask, bool isCausal, long batch, long tgt, long src)
    {
        if (isCausal && attnMask is null)
            attnMask = Tensor.Ones([tgt, src], DType.Bool).Triu(1);
        if (attnMask is not null)
        {
            bool ok = (attnMask.Dim == 2 && attnMask.shape[0] == tgt && attnMask.shape[1] == src)
                || (attnMask.Dim == 3 && attnMask.shape[0] == batch * NumHeads && attnMask.shape[1] == tgt && attnMask.shape[2] == src);
            if (!ok)
                throw new ArgumentException($"MultiheadAttention: attnMask must be [{tgt}, {src}] or [{batch * NumHeads}, {tgt}, {src}], got {Shapes.Format(attnMask.shape)}");
            scores = attnMask.DType == DType.Bool ? scores.MaskedFill(attnMask, double.NegativeInfinity) : scores + attnMask;
        }
        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.Dim != 2 || keyPaddingMask.shape[0] != batch || keyPaddingMask.shape[1] != src)
                throw new ArgumentException($"MultiheadAttention: keyPaddingMask must be [{batch}, {src}], got {Shapes.Format(keyPaddingMask.shape)}");
            var perHead = scores.View(batch, NumHeads, tgt, src);
            var mask = keyPaddingMask.View(batch, 1, 1, src);
            perHead = keyPaddingMask.DType == DType.Bool ? perHead.MaskedFill(mask, double.NegativeInfinity) : perHead + mask;
            scores = perHead.View(batch * NumHeads, tgt, src);
        }
        return scores;
    }
}
