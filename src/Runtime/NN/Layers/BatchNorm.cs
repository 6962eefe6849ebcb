namespace Kiln.NN;

/// <summary>
/// Batch normalisation (<c>torch.nn.modules.batchnorm._BatchNorm</c>): in training, normalises with the batch's
/// statistics and updates the running ones; in evaluation, uses the running statistics.
/// </summary>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    private readonly string layer;
    private readonly int[] acceptedRanks;

    private protected BatchNormBase(string layer, int[] acceptedRanks, long numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
    {
        LayerChecks.Positive(layer, ("numFeatures", numFeatures));
        this.layer = layer;
        this.acceptedRanks = acceptedRanks;
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = new Parameter(Tensor.Ones([numFeatures], dtype));
            Bias = new Parameter(Tensor.Zeros([numFeatures], dtype));
        }
        if (trackRunningStats)
        {
            RunningMean = Tensor.Zeros([numFeatures], dtype);
            RunningVar = Tensor.Ones([numFeatures], dtype);
            NumBatchesTracked = Tensor.Zeros([], DType.Int64);
        }
    }

    /// <summary>The number of channels.</summary>
    public long NumFeatures { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The weight of each batch in the running statistics, or null for a cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>The per-channel scale (null without affine).</summary>
    public Parameter? Weight { get; }

    /// <summary>The per-channel shift (null without affine).</summary>
    public Parameter? Bias { get; }

    /// <summary>The running mean (null without running statistics).</summary>
    [Buffer]
    public Tensor? RunningMean { get; }

    /// <summary>The running variance (unbiased; null without running statistics).</summary>
    [Buffer]
    public Tensor? RunningVar { get; }

    /// <summary>How many training batches updated the running statistics.</summary>
    [Buffer]
    public Tensor? NumBatchesTracked { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!acceptedRanks.Contains(input.Dim))
            throw new ArgumentException($"{layer}: expected a {string.Join(" or ", acceptedRanks.Select(r => r + "-d"))} input, got shape {Shapes.Format(input.shape)}");
        double factor = Momentum ?? 0;
        if (Training && NumBatchesTracked is { } tracked)
        {
            using (Autograd.NoGrad()) tracked.Add_(1L);
            if (Momentum is null) factor = 1.0 / tracked.Item<long>();
        }
        bool useBatchStats = Training || RunningMean is null;
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStats, factor, Eps);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={LayerChecks.Py(Eps)}, momentum={(Momentum is { } m ? LayerChecks.Py(m) : "None")}, affine={LayerChecks.Py(Weight is not null)}, track_running_stats={LayerChecks.Py(RunningMean is not null)}";
}

/// <summary>Batch normalisation over (N, C) or (N, C, L) inputs (<c>torch.nn.BatchNorm1d</c>).</summary>
public sealed class BatchNorm1d(long numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
    : BatchNormBase("BatchNorm1d", [2, 3], numFeatures, eps, momentum, affine, trackRunningStats, dtype);

/// <summary>Batch normalisation over (N, C, H, W) inputs (<c>torch.nn.BatchNorm2d</c>).</summary>
public sealed class BatchNorm2d(long numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
    : BatchNormBase("BatchNorm2d", [4], numFeatures, eps, momentum, affine, trackRunningStats, dtype);
