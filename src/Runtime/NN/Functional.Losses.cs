using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Loss;

namespace Kiln.NN;

public static partial class Functional
{
    // Every loss takes reduction "none" (the per-element losses), "mean" (the default) or "sum", as in PyTorch.

    /// <summary>
    /// The cross entropy of class scores (<c>torch.nn.functional.cross_entropy</c>): input [C], [N, C] or
    /// [N, C, d1, ...]; target int64 class indices of the input's shape without the class dim, or class
    /// probabilities of the input's own shape. Targets equal to <paramref name="ignoreIndex"/> count for nothing
    /// (the mean divides by the summed <paramref name="weight"/> of the others); <paramref name="labelSmoothing"/>
    /// mixes the target with the uniform distribution. One fused pass per row: the log-softmax is not materialised.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, shape, the reduction or label_smoothing is invalid.</exception>
    /// <exception cref="IndexOutOfRangeException">A class index (other than ignore_index) is outside [0, C).</exception>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean", double labelSmoothing = 0.0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var result = ClassLossKernel.Run("cross_entropy", input, target, weight, ignoreIndex, reduction, labelSmoothing, logSoftmax: true);
        if (!GradRecorder.IsNeeded(input, target)) return result;
        var attrs = ClassLossAttrs(reduction, ignoreIndex);
        attrs.Add("label_smoothing", labelSmoothing);
        return GradRecorder.Track(result, "cross_entropy", Operands(input, target, weight), attrs);
    }

    /// <summary>
    /// The negative log-likelihood loss (<c>torch.nn.functional.nll_loss</c>): -weight[t]·input[.., t, ..] for
    /// log-probabilities input [C], [N, C] or [N, C, d1, ...] and int64 class indices t.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, shape or the reduction is invalid.</exception>
    /// <exception cref="IndexOutOfRangeException">A class index (other than ignore_index) is outside [0, C).</exception>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var result = ClassLossKernel.Run("nll_loss", input, target, weight, ignoreIndex, reduction, 0, logSoftmax: false);
        return GradRecorder.IsNeeded(input) ? GradRecorder.Track(result, "nll_loss", Operands(input, target, weight), ClassLossAttrs(reduction, ignoreIndex)) : result;
    }

    /// <summary>The squared error (input - target)² (<c>torch.nn.functional.mse_loss</c>); the operands broadcast and promote.</summary>
    /// <exception cref="ArgumentException">The input is not floating point, the shapes do not broadcast or the reduction is invalid.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, string reduction = "mean") =>
        Regression("mse_loss", new MseLossOp(), input, target, reduction, resultIsInputDType: false, null);

    /// <summary>The absolute error |input - target| (<c>torch.nn.functional.l1_loss</c>).</summary>
    /// <exception cref="ArgumentException">The input is not floating point, the shapes do not broadcast or the reduction is invalid.</exception>
    public static Tensor L1Loss(Tensor input, Tensor target, string reduction = "mean") =>
        Regression("l1_loss", new L1LossOp(), input, target, reduction, resultIsInputDType: false, null);

    /// <summary>
    /// The smooth L1 loss (<c>torch.nn.functional.smooth_l1_loss</c>): 0.5·d²/beta where |d| &lt; beta, else
    /// |d| - 0.5·beta, for d = input - target; beta 0 gives the L1 loss.
    /// </summary>
    /// <exception cref="ArgumentException">beta is negative, or as for <see cref="MseLoss"/>.</exception>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0) =>
        Regression("smooth_l1_loss", new SmoothL1LossOp(LossRules.CheckBeta(beta)), input, target, reduction, resultIsInputDType: false, ("beta", beta));

    /// <summary>
    /// The Huber loss (<c>torch.nn.functional.huber_loss</c>): 0.5·d² where |d| &lt; delta, else
    /// delta·(|d| - 0.5·delta); the result has the input's dtype, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">delta is not positive, or as for <see cref="MseLoss"/>.</exception>
    public static Tensor HuberLoss(Tensor input, Tensor target, string reduction = "mean", double delta = 1.0) =>
        Regression("huber_loss", new HuberLossOp(LossRules.CheckDelta(delta)), input, target, reduction, resultIsInputDType: true, ("delta", delta));

    /// <summary>
    /// The binary cross entropy of probabilities (<c>torch.nn.functional.binary_cross_entropy</c>):
    /// -weight·(y·log(x) + (1 - y)·log(1 - x)), each log clamped to ≥ -100 as in PyTorch. The target has the
    /// input's shape and dtype; the weight broadcasts to it.
    /// </summary>
    /// <exception cref="ArgumentException">An input value is outside [0, 1], or a dtype, shape or the reduction is invalid.</exception>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        const string op = "binary_cross_entropy";
        var how = LossRules.ParseReduction(op, reduction);
        var type = LossRules.BinaryCrossEntropy(LossResults.TypeOf(input)!, LossResults.TypeOf(target)!, LossResults.TypeOf(weight), how);
        return Recorded(op, [input, target, weight], ReductionAttrs(reduction), ElementwiseLoss.Run(new BinaryCrossEntropyOp(), [input, target, weight], input.shape, how, type.DType));
    }

    /// <summary>
    /// The binary cross entropy of logits (<c>torch.nn.functional.binary_cross_entropy_with_logits</c>),
    /// computed stably: weight·((1 - y)·x + (1 + (posWeight - 1)·y)·log(1 + e^-x)). The target has the input's
    /// shape; weight and posWeight (one weight per class for the positive term) broadcast to it. The result has
    /// the target's dtype, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, shape or the reduction is invalid.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean", Tensor? posWeight = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        const string op = "binary_cross_entropy_with_logits";
        var how = LossRules.ParseReduction(op, reduction);
        var type = LossRules.BinaryCrossEntropyWithLogits(LossResults.TypeOf(input)!, LossResults.TypeOf(target)!, LossResults.TypeOf(weight), LossResults.TypeOf(posWeight), how);
        return Recorded(op, [input, target, weight, posWeight], ReductionAttrs(reduction),
            ElementwiseLoss.Run(new BinaryCrossEntropyWithLogitsOp(), [input, target, weight, posWeight], input.shape, how, type.DType));
    }

    /// <summary>
    /// The Kullback-Leibler divergence (<c>torch.nn.functional.kl_div</c>) of log-probabilities input from
    /// target: target·(log(target) - input), 0 where target is 0 (or exp(target)·(target - input) when
    /// <paramref name="logTarget"/>). Reduction may also be "batchmean": the sum divided by the size of dim 0.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not floating point, the shapes do not broadcast or the reduction is invalid.</exception>
    public static Tensor KlDiv(Tensor input, Tensor target, string reduction = "mean", bool logTarget = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        const string op = "kl_div";
        var how = LossRules.ParseReduction(op, reduction, allowBatchMean: true);
        LossRules.CheckFloat(op, input.DType);
        var shape = LossRules.Broadcast(op, ("input", LossResults.TypeOf(input)), ("target", LossResults.TypeOf(target)));
        var result = LossRules.ResultType(LossResults.TypeOf(input)!, LossResults.TypeOf(target)!);
        long batch = input.Dim == 0 ? 1 : input.shape[0];
        return Recorded(op, [input, target], () => new() { { "reduction", reduction }, { "log_target", logTarget } },
            ElementwiseLoss.Run(new KlDivOp(logTarget), [input, target], shape, how, result, batch));
    }

    /// <summary>
    /// The cosine embedding loss (<c>torch.nn.functional.cosine_embedding_loss</c>): for rows x1, x2 of
    /// input1, input2 ([N, D] with target [N], or [D] with a 0-d target), 1 - cos(x1, x2) where the target is 1
    /// and max(0, cos(x1, x2) - margin) where it is -1.
    /// </summary>
    /// <exception cref="ArgumentException">The ranks or shapes do not fit, or the reduction is invalid.</exception>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, string reduction = "mean")
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        ArgumentNullException.ThrowIfNull(target);
        return Recorded("cosine_embedding_loss", [input1, input2, target], () => new() { { "margin", margin }, { "reduction", reduction } },
            CosineEmbeddingKernel.Run(input1, input2, target, margin, reduction));
    }

    /// <summary>
    /// The margin ranking loss (<c>torch.nn.functional.margin_ranking_loss</c>): max(0, -target·(input1 - input2) + margin),
    /// for three operands of one rank that broadcast.
    /// </summary>
    /// <exception cref="ArgumentException">The ranks differ, the shapes do not broadcast or the reduction is invalid.</exception>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, string reduction = "mean")
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        ArgumentNullException.ThrowIfNull(target);
        const string op = "margin_ranking_loss";
        var how = LossRules.ParseReduction(op, reduction);
        LossRules.CheckFloat(op, input1.DType, "input1");
        var (a, b, t) = (LossResults.TypeOf(input1)!, LossResults.TypeOf(input2)!, LossResults.TypeOf(target)!);
        var shape = LossRules.MarginRankingShape(a, b, t);
        return Recorded(op, [input1, input2, target], () => new() { { "margin", margin }, { "reduction", reduction } },
            ElementwiseLoss.Run(new MarginRankingLossOp(margin), [input1, input2, target], shape, how, LossRules.Promote(a, b, t)));
    }

    /// <summary>
    /// The connectionist temporal classification loss (<c>torch.nn.functional.ctc_loss</c>): log_probs [T, N, C]
    /// (or unbatched [T, C]), targets padded [N, S] or 1-d concatenated, one input and one target length per batch
    /// element. "mean" divides each loss by its target length (at least 1) and averages over the batch;
    /// <paramref name="zeroInfinity"/> turns the infinite losses of impossible alignments into 0.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, shape, length, the blank or the reduction is invalid.</exception>
    /// <exception cref="IndexOutOfRangeException">A target label is outside [0, C).</exception>
    public static Tensor CtcLoss(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, long blank = 0, string reduction = "mean", bool zeroInfinity = false)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(inputLengths);
        ArgumentNullException.ThrowIfNull(targetLengths);
        return CtcLossKernel.Run(logProbs, targets, inputLengths, targetLengths, blank, reduction, zeroInfinity);
    }

    /// <summary><see cref="CtcLoss(Tensor, Tensor, Tensor, Tensor, long, string, bool)"/> with the lengths given as arrays.</summary>
    /// <exception cref="ArgumentException">A dtype, shape, length, the blank or the reduction is invalid.</exception>
    /// <exception cref="IndexOutOfRangeException">A target label is outside [0, C).</exception>
    public static Tensor CtcLoss(Tensor logProbs, Tensor targets, long[] inputLengths, long[] targetLengths, long blank = 0, string reduction = "mean", bool zeroInfinity = false)
    {
        ArgumentNullException.ThrowIfNull(inputLengths);
        ArgumentNullException.ThrowIfNull(targetLengths);
        return CtcLoss(logProbs, targets, Tensor.FromArray(inputLengths, inputLengths.Length), Tensor.FromArray(targetLengths, targetLengths.Length), blank, reduction, zeroInfinity);
    }

    private static Tensor Regression<TLoss>(string op, TLoss loss, Tensor input, Tensor target, string reduction, bool resultIsInputDType, (string Name, double Value)? extra)
        where TLoss : struct, IElementwiseLoss
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var how = LossRules.ParseReduction(op, reduction);
        LossRules.CheckFloat(op, input.DType);
        var (a, b) = (LossResults.TypeOf(input)!, LossResults.TypeOf(target)!);
        var shape = LossRules.Broadcast(op, ("input", a), ("target", b));
        var result = ElementwiseLoss.Run(loss, [input, target], shape, how, resultIsInputDType ? input.DType : LossRules.Promote(a, b));
        if (!GradRecorder.IsNeeded(input, target)) return result;
        var attrs = new Attrs { { "reduction", reduction } };
        if (extra is var (name, value)) attrs.Add(name, value);
        return GradRecorder.Track(result, op, input, target, attrs);
    }

    /// <summary>Records a loss when one of its operands needs a gradient (the attributes are built only then).</summary>
    private static Tensor Recorded(string op, Tensor?[] operands, Func<Attrs> attrs, Tensor result) =>
        GradRecorder.IsNeeded(operands) ? GradRecorder.Track(result, op, Operands(operands), attrs()) : result;

    /// <summary>The operands with the optional ones left out at the end trimmed (the registry's optional inputs come last).</summary>
    private static Tensor?[] Operands(params Tensor?[] operands)
    {
        int count = operands.Length;
        while (count > 0 && operands[count - 1] is null) count--;
        return count == operands.Length ? operands : operands[..count];
    }

    private static Func<Attrs> ReductionAttrs(string reduction) => () => new() { { "reduction", reduction } };

    private static Attrs ClassLossAttrs(string reduction, long ignoreIndex) => new() { { "reduction", reduction }, { "ignore_index", ignoreIndex } };
}
