using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>
/// ctc_loss_backward: the gradient of ctc_loss with respect to log_probs by the forward-backward algorithm in
/// log space (float64). With α and β the forward and backward variables (both including step t's emission),
/// d(-log p)/d log_probs[t, c] = -exp(log Σ_{s: label(s) = c} α_t(s)·β_t(s) - log_probs[t, c] + nll): the true
/// derivative, whose rows sum to -1 (PyTorch's kernel adds softmax(log_probs), which log_softmax's backward
/// removes again; both give the same gradient for logits). Steps past an input's length get zero, as do
/// infinite losses under zero_infinity (without it, NaN, as in PyTorch).
/// </summary>
internal static class CtcLossBackwardKernel
{
    private const string Op = "ctc_loss_backward";

    /// <summary>The gradient for <paramref name="gradOutput"/> (the loss's shape), shaped like <paramref name="logProbs"/>.</summary>
    /// <exception cref="ArgumentException">The call is invalid, or grad_output does not have the loss's shape.</exception>
    internal static Tensor Run(Tensor gradOutput, Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, long blank, string reduction, bool zeroInfinity)
    {
        var how = LossRules.ParseReduction(Op, reduction);
        var form = LossRules.Ctc(LossResults.TypeOf(logProbs)!, LossResults.TypeOf(targets)!, LossResults.TypeOf(inputLengths)!, LossResults.TypeOf(targetLengths)!, blank);
        LossOps.CheckGradOutput(Op, LossResults.TypeOf(gradOutput)!, new TensorType(logProbs.DType, LossRules.ResultShape(how, form.Batched ? [form.Batch] : [])),
            LossResults.TypeOf(logProbs)!, new Attrs { { "reduction", reduction } });
        var lp = (form.Batched ? logProbs : logProbs.Unsqueeze(1)).To(DType.Float64).Contiguous();
        var labels = targets.To(DType.Int64).Contiguous();
        var inLengths = inputLengths.To(DType.Int64).Contiguous().ToArray<long>();
        var outLengths = targetLengths.To(DType.Int64).Contiguous().ToArray<long>();
        var g = gradOutput.To(DType.Float64).Contiguous().ToArray<double>();
        long time = lp.shape[0], classes = lp.shape[2];
        var result = Tensor.Zeros(lp.Shape, DType.Float64);
        long position = 0;
        for (int b = 0; b < form.Batch; b++)
        {
            if (inLengths[b] < 0 || inLengths[b] > time)
                throw new ArgumentException($"{Op}: input_lengths[{b}] is {inLengths[b]}, but must be in [0, {time}] (the length T of log_probs)");
            if (outLengths[b] < 0 || (form.Padded && outLengths[b] > labels.shape[1]))
                throw new ArgumentException($"{Op}: target_lengths[{b}] is {outLengths[b]}, but must be in [0, {(form.Padded ? labels.shape[1] : long.MaxValue)}]");
            long start = form.Padded ? b * labels.shape[1] : position;
            position += outLengths[b];
            var label = new long[outLengths[b]];
            for (int i = 0; i < label.Length; i++)
            {
                label[i] = labels.Ref<long>(start + i);
                if (label[i] < 0 || label[i] >= classes)
                    throw new IndexOutOfRangeException($"{Op}: target {label[i]} (label {i} of batch element {b}) is out of bounds for {classes} classes");
            }
            double scale = how switch
            {
                LossReduction.None => g[b],
                LossReduction.Mean => g[0] / Math.Max(outLengths[b], 1) / form.Batch,
                _ => g[0],
            };
            Element(lp, result, b, inLengths[b], label, blank, scale, zeroInfinity);
        }
        if (!form.Padded && position != labels.numel)
            throw new ArgumentException($"{Op}: the concatenated targets hold {labels.numel} labels, but target_lengths add up to {position}");
        var grad = form.Batched ? result : result.Squeeze(1);
        return grad.To(logProbs.DType);
    }

    /// <summary>Batch element <paramref name="b"/>'s gradient rows, times <paramref name="scale"/>.</summary>
    private static void Element(Tensor lp, Tensor result, int b, long length, long[] label, long blank, double scale, bool zeroInfinity)
    {
        if (length == 0) return;
        long classes = lp.shape[2], batch = lp.shape[1];
        int states = 2 * label.Length + 1;
        long State(int s) => s % 2 == 0 ? blank : label[s / 2];
        double LogProb(long t, long c) => lp.Ref<double>((t * batch + b) * classes + c);
        bool Skips(int s) => s > 1 && State(s - 2) != State(s);
        var alpha = new double[length, states];
        var beta = new double[length, states];
        for (long t = 0; t < length; t++)
        {
            for (int s = 0; s < states; s++)
            {
                double value = t == 0
                    ? (s < 2 ? 0 : double.NegativeInfinity)
                    : LogAdd(alpha[t - 1, s], s > 0 ? alpha[t - 1, s - 1] : double.NegativeInfinity, Skips(s) ? alpha[t - 1, s - 2] : double.NegativeInfinity);
                alpha[t, s] = value + LogProb(t, State(s));
            }
        }
        for (long t = length - 1; t >= 0; t--)
        {
            for (int s = states - 1; s >= 0; s--)
            {
                double value = t == length - 1
                    ? (s >= states - 2 ? 0 : double.NegativeInfinity)
                    : LogAdd(beta[t + 1, s], s + 1 < states ? beta[t + 1, s + 1] : double.NegativeInfinity, s + 2 < states && Skips(s + 2) ? beta[t + 1, s + 2] : double.NegativeInfinity);
                beta[t, s] = value + LogProb(t, State(s));
            }
        }
        double nll = -LogAdd(alpha[length - 1, states - 1], states > 1 ? alpha[length - 1, states - 2] : double.NegativeInfinity, double.NegativeInfinity);
        if (double.IsPositiveInfinity(nll))
        {
            // No alignment exists: zero_infinity zeroes the loss and its gradient; otherwise, as in PyTorch, the gradient is NaN.
            for (long t = 0; t < length && !zeroInfinity; t++)
                result.Span<double>((t * batch + b) * classes, classes).Fill(double.NaN);
            return;
        }
        var sums = new double[classes];
        for (long t = 0; t < length; t++)
        {
            Array.Fill(sums, double.NegativeInfinity);
            for (int s = 0; s < states; s++)
            {
                long c = State(s);
                sums[c] = LogAdd(sums[c], alpha[t, s] + beta[t, s], double.NegativeInfinity);
            }
            for (long c = 0; c < classes; c++)
            {
                if (double.IsNegativeInfinity(sums[c])) continue;
                result.Ref<double>((t * batch + b) * classes + c) = -Math.Exp(sums[c] + nll - LogProb(t, c)) * scale;
            }
        }
    }

    private static double LogAdd(double a, double b, double c)
    {
        double max = Math.Max(a, Math.Max(b, c));
        if (double.IsNegativeInfinity(max)) return max;
        return Math.Log(Math.Exp(a - max) + Math.Exp(b - max) + Math.Exp(c - max)) + max;
    }
}
