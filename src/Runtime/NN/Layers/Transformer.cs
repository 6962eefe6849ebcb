namespace Kiln.NN;

/// <summary>
/// A transformer encoder layer (<c>torch.nn.TransformerEncoderLayer</c>): self-attention and a feed-forward block,
/// each with dropout, a residual connection and layer norm (after each block, or before with <c>normFirst</c>).
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    private readonly MultiheadAttention selfAttn;
    private readonly Linear linear1, linear2;
    private readonly Dropout dropout, dropout1, dropout2;
    private readonly LayerNorm norm1, norm2;
    private readonly FeedForwardSettings settings;

    /// <summary>A layer of width <paramref name="dModel"/> with <paramref name="nhead"/> heads.</summary>
    /// <exception cref="ArgumentException">The activation is not "relu" or "gelu", or a size is invalid.</exception>
    public TransformerEncoderLayer(long dModel, long nhead, long dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, DType dtype = DType.Float32)
    {
        settings = new FeedForwardSettings(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype);
        selfAttn = new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst: batchFirst, dtype: dtype);
        linear1 = new Linear(dModel, dimFeedforward, bias, dtype);
        this.dropout = new Dropout(dropout);
        linear2 = new Linear(dimFeedforward, dModel, bias, dtype);
        norm1 = new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype);
        norm2 = new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype);
        dropout1 = new Dropout(dropout);
        dropout2 = new Dropout(dropout);
    }

    /// <summary>A new layer with the same settings and a copy of this layer's weights (PyTorch's <c>copy.deepcopy</c> of a layer).</summary>
    internal TransformerEncoderLayer Copy()
    {
        var s = settings;
        var copy = new TransformerEncoderLayer(s.DModel, s.NHead, s.DimFeedforward, s.Dropout, s.Activation, s.Eps, s.BatchFirst, s.NormFirst, s.Bias, s.DType);
        copy.LoadStateDict(StateDict());
        return copy;
    }

    /// <summary>The layer applied to <paramref name="src"/>, with optional attention and key-padding masks.</summary>
    public Tensor Forward(Tensor src, Tensor? srcMask = null, Tensor? srcKeyPaddingMask = null, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(src);
        var x = src;
        if (settings.NormFirst)
        {
            x = x + SelfAttention(norm1.Forward(x), srcMask, srcKeyPaddingMask, isCausal);
            return x + FeedForward(norm2.Forward(x));
        }
        x = norm1.Forward(x + SelfAttention(x, srcMask, srcKeyPaddingMask, isCausal));
        return norm2.Forward(x + FeedForward(x));
    }

    private Tensor SelfAttention(Tensor x, Tensor? mask, Tensor? keyPaddingMask, bool isCausal) =>
        dropout1.Forward(selfAttn.Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor FeedForward(Tensor x) => dropout2.Forward(linear2.Forward(dropout.Forward(settings.Activate(linear1.Forward(x)))));
}

/// <summary>
/// A transformer decoder layer (<c>torch.nn.TransformerDecoderLayer</c>): self-attention, attention over the
/// encoder's memory and a feed-forward block, each with dropout, a residual connection and layer norm.
/// </summary>
public sealed class TransformerDecoderLayer : Module
{
    private readonly MultiheadAttention selfAttn, multiheadAttn;
    private readonly Linear linear1, linear2;
    private readonly Dropout dropout, dropout1, dropout2, dropout3;
    private readonly LayerNorm norm1, norm2, norm3;
    private readonly FeedForwardSettings settings;

    /// <summary>A layer of width <paramref name="dModel"/> with <paramref name="nhead"/> heads.</summary>
    /// <exception cref="ArgumentException">The activation is not "relu" or "gelu", or a size is invalid.</exception>
    public TransformerDecoderLayer(long dModel, long nhead, long dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, DType dtype = DType.Float32)
    {
        settings = new FeedForwardSettings(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype);
        selfAttn = new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst: batchFirst, dtype: dtype);
        multiheadAttn = new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst: batchFirst, dtype: dtype);
        linear1 = new Linear(dModel, dimFeedforward, bias, dtype);
        this.dropout = new Dropout(dropout);
        linear2 = new Linear(dimFeedforward, dModel, bias, dtype);
        norm1 = new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype);
        norm2 = new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype);
        norm3 = new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype);
        dropout1 = new Dropout(dropout);
        dropout2 = new Dropout(dropout);
        dropout3 = new Dropout(dropout);
    }

    /// <summary>The layer applied to <paramref name="tgt"/> attending to <paramref name="memory"/>, with optional masks.</summary>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false, bool memoryIsCausal = false)
    {
        ArgumentNullException.ThrowIfNull(tgt);
        ArgumentNullException.ThrowIfNull(memory);
        var x = tgt;
        if (settings.NormFirst)
        {
            x = x + SelfAttention(norm1.Forward(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal);
            x = x + CrossAttention(norm2.Forward(x), memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal);
            return x + FeedForward(norm3.Forward(x));
        }
        x = norm1.Forward(x + SelfAttention(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal));
        x = norm2.Forward(x + CrossAttention(x, memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal));
        return norm3.Forward(x + FeedForward(x));
    }

    private Tensor SelfAttention(Tensor x, Tensor? mask, Tensor? keyPaddingMask, bool isCausal) =>
        dropout1.Forward(selfAttn.Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor CrossAttention(Tensor x, Tensor memory, Tensor? mask, Tensor? keyPaddingMask, bool isCausal) =>
        dropout2.Forward(multiheadAttn.Forward(x, memory, memory, keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).Output);

    private Tensor FeedForward(Tensor x) => dropout3.Forward(linear2.Forward(dropout.Forward(settings.Activate(linear1.Forward(x)))));
}

/// <summary>A stack of copies of one encoder layer, with an optional final norm (<c>torch.nn.TransformerEncoder</c>).</summary>
public sealed class TransformerEncoder : Module
{
    private readonly ModuleList<TransformerEncoderLayer> layers = new();
    private readonly Module<Tensor, Tensor>? norm;

    /// <summary><paramref name="numLayers"/> copies of <paramref name="encoderLayer"/> (same initial weights, as PyTorch's deep copies).</summary>
    /// <exception cref="ArgumentException"><paramref name="numLayers"/> is not positive.</exception>
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, long numLayers, Module<Tensor, Tensor>? norm = null)
    {
        ArgumentNullException.ThrowIfNull(encoderLayer);
        LayerChecks.Positive("TransformerEncoder", ("numLayers", numLayers));
        for (long i = 0; i < numLayers; i++) layers.Add(encoderLayer.Copy());
        this.norm = norm;
    }

    /// <summary>The layers.</summary>
    public IReadOnlyList<TransformerEncoderLayer> Layers => layers;

    /// <summary>Each layer applied in turn, then the norm.</summary>
    public Tensor Forward(Tensor src, Tensor? mask = null, Tensor? srcKeyPaddingMask = null, bool isCausal = false)
    {
        var x = src;
        foreach (var layer in layers) x = layer.Forward(x, mask, srcKeyPaddingMask, isCausal);
        return norm is null ? x : norm.Forward(x);
    }
}

/// <summary>The hyper-parameters of a transformer layer, kept to build copies and to apply the activation.</summary>
internal sealed record FeedForwardSettings(long DModel, long NHead, long DimFeedforward, double Dropout, string Activation, double Eps,
    bool BatchFirst, bool NormFirst, bool Bias, DType DType)
{
    private readonly bool gelu = Activation switch
    {
        "relu" => false,
        "gelu" => true,
        _ => throw new ArgumentException($"Transformer layer: activation must be 'relu' or 'gelu', got '{Activation}'"),
    };

    internal Tensor Activate(Tensor x) => gelu ? Functional.Gelu(x) : Functional.Relu(x);
}
