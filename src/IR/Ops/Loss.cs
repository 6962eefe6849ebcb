namespace Kiln.IR.Ops;

/// <summary>
/// The losses of <c>torch.nn.functional</c>, each with a <c>reduction</c> attribute (<c>none</c>,
/// <c>mean</c> or <c>sum</c>; kl_div also <c>batchmean</c>). Their rules live in <see cref="LossRules"/>,
/// their samples in <see cref="LossSamples"/>.
/// </summary>
public static partial class LossOps
{
    private const string Family = "loss";
    private static readonly AttrDef ReductionAttr = new("reduction", "str", "mean");
    private static readonly AttrDef IgnoreIndex = new("ignore_index", "int", -100L);
    private static readonly AttrDef Margin = new("margin", "float", 0.0);

    /// <summary>
    /// <c>F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)</c>: log_softmax over
    /// the class dim and the negative log-likelihood of class-index targets (the weighted mean divides by the
    /// weights of the targets not ignored), or the cross entropy with class-probability targets.
    /// </summary>
    public static OpDef CrossEntropy { get; } = new()
    {
        Name = "cross_entropy",
        Family = Family,
        Inputs = ["input", "target", "weight"],
        RequiredInputs = 2,
        Attributes = [ReductionAttr, IgnoreIndex, new AttrDef("label_smoothing", "float", 0.0)],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) => ClassLossType("cross_entropy", inputs, attrs, attrs.GetDouble("label_smoothing", 0), allowProbabilities: true),
        Gradient = LossGradients.CrossEntropy,
        Samples = LossSamples.CrossEntropy,
    };

    /// <summary><c>F.nll_loss(input, target, weight, ignore_index, reduction)</c>: -input[target] (weighted), input holding log-probabilities.</summary>
    public static OpDef NllLoss { get; } = new()
    {
        Name = "nll_loss",
        Family = Family,
        Inputs = ["input", "target", "weight"],
        RequiredInputs = 2,
        Attributes = [ReductionAttr, IgnoreIndex],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) => ClassLossType("nll_loss", inputs, attrs, 0, allowProbabilities: false),
        Gradient = LossGradients.NllLoss,
        Samples = LossSamples.NllLoss,
    };

    /// <summary><c>F.mse_loss(input, target, reduction)</c>: (input - target)², the operands broadcast and promoted.</summary>
    public static OpDef MseLoss { get; } = Elementwise("mse_loss", [], (i, t, _) => LossRules.Promote(i, t), () => LossSamples.Regression([]))
        with { Gradient = LossGradients.Regression("mse_loss", (d, _) => d * 2.0) };

    /// <summary><c>F.l1_loss(input, target, reduction)</c>: |input - target|.</summary>
    public static OpDef L1Loss { get; } = Elementwise("l1_loss", [], (i, t, _) => LossRules.Promote(i, t), () => LossSamples.Regression([]))
        with { Gradient = LossGradients.Regression("l1_loss", (d, _) => LossGradients.Sign(d)) };

    /// <summary><c>F.smooth_l1_loss(input, target, reduction, beta)</c>: 0.5·d²/beta where |d| &lt; beta, else |d| - 0.5·beta.</summary>
    public static OpDef SmoothL1Loss { get; } = Elementwise("smooth_l1_loss", [new AttrDef("beta", "float", 1.0)],
        (i, t, a) =>
        {
            LossRules.CheckBeta(a.GetDouble("beta", 1));
            return LossRules.Promote(i, t);
        },
        () => LossSamples.Regression([("beta", 1.0), ("beta", 0.5), ("beta", 0.0)], ("beta", -1.0)))
        with { Gradient = LossGradients.Regression("smooth_l1_loss", (d, a) => a.GetDouble("beta", 1) is var beta && beta == 0 ? LossGradients.Sign(d) : LossGradients.Clipped(d, beta) / beta) };

    /// <summary>
    /// <c>F.huber_loss(input, target, reduction, delta)</c>: 0.5·d² where |d| &lt; delta, else delta·(|d| - 0.5·delta);
    /// the result has the input's dtype, as in PyTorch.
    /// </summary>
    public static OpDef HuberLoss { get; } = Elementwise("huber_loss", [new AttrDef("delta", "float", 1.0)],
        (i, _, a) =>
        {
            LossRules.CheckDelta(a.GetDouble("delta", 1));
            return i.DType;
        },
        () => LossSamples.Regression([("delta", 1.0), ("delta", 0.5), ("delta", 2.0)], ("delta", 0.0)))
        with { Gradient = LossGradients.Regression("huber_loss", (d, a) => LossGradients.Clipped(d, a.GetDouble("delta", 1))) };

    /// <summary>
    /// <c>F.binary_cross_entropy(input, target, weight, reduction)</c>: -w·(y·log(x) + (1 - y)·log(1 - x)) with
    /// each log clamped to ≥ -100; inputs outside [0, 1] are an error.
    /// </summary>
    public static OpDef BinaryCrossEntropy { get; } = new()
    {
        Name = "binary_cross_entropy",
        Family = Family,
        Inputs = ["input", "target", "weight"],
        RequiredInputs = 2,
        Attributes = [ReductionAttr],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("binary_cross_entropy", 2, 3, inputs.Count);
            return [LossRules.BinaryCrossEntropy(inputs[0], inputs[1], Optional(inputs, 2), LossRules.Reduction("binary_cross_entropy", attrs))];
        },
        Gradient = LossGradients.BinaryCrossEntropy,
        Samples = LossSamples.BinaryCrossEntropy,
    };

    /// <summary>
    /// <c>F.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)</c>:
    /// w·((1 - y)·x + (1 + (pos_weight - 1)·y)·log(1 + e^-x)), computed stably.
    /// </summary>
    public static OpDef BinaryCrossEntropyWithLogits { get; } = new()
    {
        Name = "binary_cross_entropy_with_logits",
        Family = Family,
        Inputs = ["input", "target", "weight", "pos_weight"],
        RequiredInputs = 2,
        Attributes = [ReductionAttr],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            const string op = "binary_cross_entropy_with_logits";
            CheckCount(op, 2, 4, inputs.Count);
            return [LossRules.BinaryCrossEntropyWithLogits(inputs[0], inputs[1], Optional(inputs, 2), Optional(inputs, 3), LossRules.Reduction(op, attrs))];
        },
        Gradient = LossGradients.BinaryCrossEntropyWithLogits,
        Samples = LossSamples.BinaryCrossEntropyWithLogits,
    };

    /// <summary>
    /// <c>F.kl_div(input, target, reduction, log_target)</c>: target·(log(target) - input) (0 where target is 0),
    /// or exp(target)·(target - input) with log_target; <c>batchmean</c> divides the sum by the batch size.
    /// </summary>
    public static OpDef KlDiv { get; } = new()
    {
        Name = "kl_div",
        Family = Family,
        Inputs = ["input", "target"],
        Attributes = [ReductionAttr, new AttrDef("log_target", "bool", false)],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("kl_div", 2, 2, inputs.Count);
            var reduction = LossRules.Reduction("kl_div", attrs, allowBatchMean: true);
            LossRules.CheckFloat("kl_div", inputs[0].DType);
            var shape = LossRules.Broadcast("kl_div", ("input", inputs[0]), ("target", inputs[1]));
            return [new TensorType(LossRules.ResultType(inputs[0], inputs[1]), LossRules.ResultShape(reduction, shape))];
        },
        Gradient = LossGradients.KlDiv,
        Samples = LossSamples.KlDiv,
    };

    /// <summary>
    /// <c>F.cosine_embedding_loss(input1, input2, target, margin, reduction)</c>: 1 - cos where target is 1,
    /// max(0, cos - margin) where it is -1, 0 elsewhere; cos along the last dim.
    /// </summary>
    public static OpDef CosineEmbeddingLoss { get; } = new()
    {
        Name = "cosine_embedding_loss",
        Family = Family,
        Inputs = ["input1", "input2", "target"],
        Attributes = [Margin, ReductionAttr],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("cosine_embedding_loss", 3, 3, inputs.Count);
            var reduction = LossRules.Reduction("cosine_embedding_loss", attrs);
            LossRules.CheckFloat("cosine_embedding_loss", inputs[0].DType, "input1");
            var shape = LossRules.CosineEmbeddingShape(inputs[0], inputs[1], inputs[2]);
            return [new TensorType(LossRules.Promote(inputs[0], inputs[1]), LossRules.ResultShape(reduction, shape))];
        },
        Gradient = LossGradients.CosineEmbedding,
        Samples = LossSamples.CosineEmbedding,
    };

    /// <summary><c>F.margin_ranking_loss(input1, input2, target, margin, reduction)</c>: max(0, -target·(input1 - input2) + margin).</summary>
    public static OpDef MarginRankingLoss { get; } = new()
    {
        Name = "margin_ranking_loss",
        Family = Family,
        Inputs = ["input1", "input2", "target"],
        Attributes = [Margin, ReductionAttr],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("margin_ranking_loss", 3, 3, inputs.Count);
            var reduction = LossRules.Reduction("margin_ranking_loss", attrs);
            LossRules.CheckFloat("margin_ranking_loss", inputs[0].DType, "input1");
            var shape = LossRules.MarginRankingShape(inputs[0], inputs[1], inputs[2]);
            return [new TensorType(LossRules.Promote(inputs[0], inputs[1], inputs[2]), LossRules.ResultShape(reduction, shape))];
        },
        Gradient = LossGradients.MarginRanking,
        Samples = LossSamples.MarginRanking,
    };

    /// <summary>
    /// <c>F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)</c>: the
    /// connectionist temporal classification loss by the forward algorithm in log space; <c>mean</c> divides
    /// each loss by its target length (at least 1), then averages over the batch.
    /// </summary>
    public static OpDef CtcLoss { get; } = new()
    {
        Name = "ctc_loss",
        Family = Family,
        Inputs = ["log_probs", "targets", "input_lengths", "target_lengths"],
        Attributes = [new AttrDef("blank", "int", 0L), ReductionAttr, new AttrDef("zero_infinity", "bool", false)],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("ctc_loss", 4, 4, inputs.Count);
            var reduction = LossRules.Reduction("ctc_loss", attrs);
            var form = LossRules.Ctc(inputs[0], inputs[1], inputs[2], inputs[3], attrs.GetLong("blank", 0));
            long[] unreduced = form.Batched ? [form.Batch] : [];
            return [new TensorType(inputs[0].DType, LossRules.ResultShape(reduction, unreduced))];
        },
        Gradient = c => [c.NeedsInputGrad[0] ? c.Emitter.Call("ctc_loss_backward", [c.Grad, .. c.Inputs.Select(i => i!)], c.Attrs)[0] : null, null, null, null],
        Samples = LossSamples.Ctc,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
    [
        CrossEntropy, NllLoss, MseLoss, L1Loss, SmoothL1Loss, HuberLoss, BinaryCrossEntropy, BinaryCrossEntropyWithLogits,
        KlDiv, CosineEmbeddingLoss, MarginRankingLoss, CtcLoss, CrossEntropyBackward, NllLossBackward, CtcLossBackward,
    ];

    private static TensorType[] ClassLossType(string op, IReadOnlyList<TensorType> inputs, Attrs attrs, double labelSmoothing, bool allowProbabilities)
    {
        CheckCount(op, 2, 3, inputs.Count);
        var reduction = LossRules.Reduction(op, attrs);
        var form = LossRules.ClassLoss(op, inputs[0], inputs[1], Optional(inputs, 2), attrs.GetLong("ignore_index", -100), labelSmoothing, allowProbabilities);
        return [new TensorType(form.ResultDType, LossRules.ResultShape(reduction, form.UnreducedShape))];
    }

    /// <summary>An elementwise loss of (input, target), broadcast, with the given extra attributes and result dtype rule.</summary>
    private static OpDef Elementwise(string name, IReadOnlyList<AttrDef> extra, Func<TensorType, TensorType, Attrs, DType> resultDType, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["input", "target"],
        Attributes = [ReductionAttr, .. extra],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount(name, 2, 2, inputs.Count);
            var reduction = LossRules.Reduction(name, attrs);
            LossRules.CheckFloat(name, inputs[0].DType);
            var shape = LossRules.Broadcast(name, ("input", inputs[0]), ("target", inputs[1]));
            return [new TensorType(resultDType(inputs[0], inputs[1], attrs), LossRules.ResultShape(reduction, shape))];
        },
        Samples = samples,
    };

    private static TensorType? Optional(IReadOnlyList<TensorType> inputs, int index) => inputs.Count > index ? inputs[index] : null;

    private static void CheckCount(string op, int min, int max, int count)
    {
        if (count < min || count > max)
            throw new ArgumentException(min == max ? $"{op}: expected {min} inputs, got {count}" : $"{op}: expected {min} to {max} inputs, got {count}");
    }
}
