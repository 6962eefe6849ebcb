namespace Kiln.NN;

/// <summary>Layer normalisation over the last dims (<c>torch.nn.LayerNorm</c>), weight ones and bias zeros.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Normalises over trailing dims of sizes <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
    {
        NormalizedShape = (long[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = new Parameter(Tensor.Ones(NormalizedShape, dtype));
            if (bias) Bias = new Parameter(Tensor.Zeros(NormalizedShape, dtype));
        }
    }

    /// <summary>Normalises over the last dim of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(long normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, bias, dtype)
    {
    }

    /// <summary>The sizes of the normalised trailing dims.</summary>
    public long[] NormalizedShape { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The elementwise scale (null without affine).</summary>
    public Parameter? Weight { get; }

    /// <summary>The elementwise shift (null without affine or bias).</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{LayerChecks.Py(NormalizedShape)}, eps={LayerChecks.Py(Eps)}, elementwise_affine={LayerChecks.Py(Weight is not null)}";
}

/// <summary>Group normalisation (<c>torch.nn.GroupNorm</c>): channels split into groups, each normalised over its channels and positions.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Normalises <paramref name="numChannels"/> channels in <paramref name="numGroups"/> groups.</summary>
    /// <exception cref="ArgumentException">The channels do not divide into the groups.</exception>
    public GroupNorm(long numGroups, long numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        LayerChecks.Positive("GroupNorm", ("numGroups", numGroups));
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: numChannels ({numChannels}) must be divisible by numGroups ({numGroups})");
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        if (affine)
        {
            Weight = new Parameter(Tensor.Ones([numChannels], dtype));
            Bias = new Parameter(Tensor.Zeros([numChannels], dtype));
        }
    }

    /// <summary>The number of groups.</summary>
    public long NumGroups { get; }

    /// <summary>The number of channels.</summary>
    public long NumChannels { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The per-channel scale (null without affine).</summary>
    public Parameter? Weight { get; }

    /// <summary>The per-channel shift (null without affine).</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.GroupNorm(input, NumGroups, Weight, Bias, Eps);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={LayerChecks.Py(Eps)}, affine={LayerChecks.Py(Weight is not null)}";
}

/// <summary>Root-mean-square normalisation over the last dims (<c>torch.nn.RMSNorm</c>), weight ones.</summary>
public sealed class RMSNorm : Module<Tensor, Tensor>
{
    /// <summary>Normalises over trailing dims of sizes <paramref name="normalizedShape"/>; a null eps uses the dtype's machine epsilon.</summary>
    public RMSNorm(long[] normalizedShape, double? eps = null, bool elementwiseAffine = true, DType dtype = DType.Float32)
    {
        NormalizedShape = (long[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine) Weight = new Parameter(Tensor.Ones(NormalizedShape, dtype));
    }

    /// <summary>Normalises over the last dim of size <paramref name="normalizedShape"/>.</summary>
    public RMSNorm(long normalizedShape, double? eps = null, bool elementwiseAffine = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, dtype)
    {
    }

    /// <summary>The sizes of the normalised trailing dims.</summary>
    public long[] NormalizedShape { get; }

    /// <summary>Added to the mean square, or null for the dtype's machine epsilon.</summary>
    public double? Eps { get; }

    /// <summary>The elementwise scale (null without affine).</summary>
    public Parameter? Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.RmsNorm(input, NormalizedShape, Weight, Eps);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{LayerChecks.Py(NormalizedShape)}, eps={(Eps is { } e ? LayerChecks.Py(e) : "None")}, elementwise_affine={LayerChecks.Py(Weight is not null)}";
}
