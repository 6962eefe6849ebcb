namespace Kiln.NN;

/// <summary>A loss module with an input and a target (<c>torch.nn.modules.loss._Loss</c>): <c>Forward(input, target)</c>.</summary>
public abstract class Loss : Module
{
    private protected Loss(string reduction, bool allowBatchMean = false)
    {
        if (reduction is not ("none" or "mean" or "sum") && !(allowBatchMean && reduction == "batchmean"))
            throw new ArgumentException($"{GetType().Name}: reduction must be 'none', 'mean' or 'sum'{(allowBatchMean ? " or 'batchmean'" : "")}, got '{reduction}'");
        Reduction = reduction;
    }

    /// <summary>"none", "mean" or "sum" (KLDivLoss also "batchmean").</summary>
    public string Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);
}

/// <summary>Cross entropy of logits against class indices or probabilities (<c>torch.nn.CrossEntropyLoss</c>).</summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean", double labelSmoothing = 0) : Loss(reduction)
{
    /// <summary>Per-class weights, or null.</summary>
    [Buffer]
    public Tensor? Weight { get; } = weight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.CrossEntropy(input, target, Weight, ignoreIndex, Reduction, labelSmoothing);
}

/// <summary>Negative log likelihood of log-probabilities (<c>torch.nn.NLLLoss</c>).</summary>
public sealed class NLLLoss(Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean") : Loss(reduction)
{
    /// <summary>Per-class weights, or null.</summary>
    [Buffer]
    public Tensor? Weight { get; } = weight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.NllLoss(input, target, Weight, ignoreIndex, Reduction);
}

/// <summary>Mean squared error (<c>torch.nn.MSELoss</c>).</summary>
public sealed class MSELoss(string reduction = "mean") : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.MseLoss(input, target, Reduction);
}

/// <summary>Mean absolute error (<c>torch.nn.L1Loss</c>).</summary>
public sealed class L1Loss(string reduction = "mean") : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.L1Loss(input, target, Reduction);
}

/// <summary>Smooth L1 loss (<c>torch.nn.SmoothL1Loss</c>).</summary>
public sealed class SmoothL1Loss(string reduction = "mean", double beta = 1) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.SmoothL1Loss(input, target, Reduction, beta);
}

/// <summary>Huber loss (<c>torch.nn.HuberLoss</c>).</summary>
public sealed class HuberLoss(string reduction = "mean", double delta = 1) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.HuberLoss(input, target, Reduction, delta);
}

/// <summary>Binary cross entropy of probabilities (<c>torch.nn.BCELoss</c>).</summary>
public sealed class BCELoss(Tensor? weight = null, string reduction = "mean") : Loss(reduction)
{
    /// <summary>Per-element weights, or null.</summary>
    [Buffer]
    public Tensor? Weight { get; } = weight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.BinaryCrossEntropy(input, target, Weight, Reduction);
}

/// <summary>Binary cross entropy of logits (<c>torch.nn.BCEWithLogitsLoss</c>).</summary>
public sealed class BCEWithLogitsLoss(Tensor? weight = null, string reduction = "mean", Tensor? posWeight = null) : Loss(reduction)
{
    /// <summary>Per-element weights, or null.</summary>
    [Buffer]
    public Tensor? Weight { get; } = weight;

    /// <summary>The weight of positive examples per class, or null.</summary>
    [Buffer]
    public Tensor? PosWeight { get; } = posWeight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.BinaryCrossEntropyWithLogits(input, target, Weight, Reduction, PosWeight);
}

/// <summary>Kullback–Leibler divergence of log-probabilities from a target (<c>torch.nn.KLDivLoss</c>).</summary>
public sealed class KLDivLoss(string reduction = "mean", bool logTarget = false) : Loss(reduction, allowBatchMean: true)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.KlDiv(input, target, Reduction, logTarget);
}

/// <summary>Cosine embedding loss of two inputs and a ±1 target (<c>torch.nn.CosineEmbeddingLoss</c>).</summary>
public sealed class CosineEmbeddingLoss(double margin = 0, string reduction = "mean") : Module
{
    /// <summary>The loss of the pair (<paramref name="input1"/>, <paramref name="input2"/>) against ±1 <paramref name="target"/>.</summary>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => Functional.CosineEmbeddingLoss(input1, input2, target, margin, reduction);
}

/// <summary>Margin ranking loss of two inputs and a ±1 target (<c>torch.nn.MarginRankingLoss</c>).</summary>
public sealed class MarginRankingLoss(double margin = 0, string reduction = "mean") : Module
{
    /// <summary>The loss of ranking <paramref name="input1"/> above <paramref name="input2"/> where <paramref name="target"/> is 1.</summary>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => Functional.MarginRankingLoss(input1, input2, target, margin, reduction);
}

/// <summary>Connectionist temporal classification loss (<c>torch.nn.CTCLoss</c>).</summary>
public sealed class CTCLoss(long blank = 0, string reduction = "mean", bool zeroInfinity = false) : Module
{
    /// <summary>The loss of log-probabilities (T, N, C) against concatenated or padded targets.</summary>
    public Tensor Forward(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) =>
        Functional.CtcLoss(logProbs, targets, inputLengths, targetLengths, blank, reduction, zeroInfinity);
}
