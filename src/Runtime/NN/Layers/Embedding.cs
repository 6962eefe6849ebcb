namespace Kiln.NN;

/// <summary>A lookup table of vectors indexed by integer ids (<c>torch.nn.Embedding</c>), initialised from N(0, 1); the padding row is zero.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>A table of <paramref name="numEmbeddings"/> vectors of size <paramref name="embeddingDim"/>.</summary>
    /// <exception cref="ArgumentException">A size is negative or <paramref name="paddingIdx"/> is out of range.</exception>
    public Embedding(long numEmbeddings, long embeddingDim, long? paddingIdx = null, DType dtype = DType.Float32)
    {
        LayerChecks.NonNegative("Embedding", ("numEmbeddings", numEmbeddings), ("embeddingDim", embeddingDim));
        if (paddingIdx is { } p && (p >= numEmbeddings || p < -numEmbeddings))
            throw new ArgumentException($"Embedding: paddingIdx {p} must be within [-{numEmbeddings}, {numEmbeddings})");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx is { } q && q < 0 ? q + numEmbeddings : paddingIdx;
        Weight = LayerChecks.NewParameter("Embedding", [numEmbeddings, embeddingDim], dtype);
        Init.Normal_(Weight);
        if (PaddingIdx is { } row)
        {
            using (Autograd.NoGrad()) Weight.Select(0, row).Zero_();
        }
    }

    /// <summary>The number of vectors.</summary>
    public long NumEmbeddings { get; }

    /// <summary>The size of each vector.</summary>
    public long EmbeddingDim { get; }

    /// <summary>The row that stays zero and gets no gradient, or null.</summary>
    public long? PaddingIdx { get; }

    /// <summary>The table, numEmbeddings × embeddingDim.</summary>
    public Parameter Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Embedding(input, Weight, PaddingIdx);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is { } p ? $", padding_idx={p}" : "");
}
