using System.Numerics;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>
/// ctc_loss by the forward algorithm of Graves et al. (2006) in log space, as PyTorch's CPU kernel does it:
/// over the target with a blank before, between and after its labels (2L + 1 states), α_t(s) is the
/// log-sum of α_{t-1} at s, s - 1 and (when the label differs from the one two back) s - 2, plus the
/// state's log-probability at t; the loss is -log(α_{T-1}(2L) + α_{T-1}(2L - 1)). Each batch element runs on
/// its own (both cores), keeping two rows of α in float64.
/// </summary>
internal static class CtcLossKernel
{
    private const string Op = "ctc_loss";

    /// <summary>Checks the call with <see cref="LossRules.Ctc"/> and the lengths and labels against the shapes, then runs it.</summary>
    /// <exception cref="ArgumentException">A length is negative or too long, or the concatenated targets do not add up.</exception>
    /// <exception cref="IndexOutOfRangeException">A target label is not a class index.</exception>
    internal static Tensor Run(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, long blank, string reduction, bool zeroInfinity)
    {
        var how = LossRules.ParseReduction(Op, reduction);
        var form = LossRules.Ctc(LossResults.TypeOf(logProbs)!, LossResults.TypeOf(targets)!, LossResults.TypeOf(inputLengths)!, LossResults.TypeOf(targetLengths)!, blank);
        var compute = LossResults.ComputeDType(logProbs);
        var lp = (form.Batched ? logProbs : logProbs.Unsqueeze(1)).To(compute);
        var labels = targets.To(DType.Int64);
        var inLengths = inputLengths.To(DType.Int64).Contiguous().ToArray<long>();
        var outLengths = targetLengths.To(DType.Int64).Contiguous().ToArray<long>();
        var starts = TargetStarts(labels, form, inLengths, outLengths, lp.shape[0]);
        long labelStep = labels.strides[^1];
        CheckLabels(labels, starts, labelStep, outLengths, form.Classes);

        var losses = new double[form.Batch];
        long work = Math.Max(1, lp.shape[0] * (2 * labels.shape[^1] + 1));
        CpuParallel.For(form.Batch, Math.Max(1, CpuParallel.ElementwiseGrain / work), (first, end) =>
        {
            for (long b = first; b < end; b++)
            {
                var problem = new Problem(lp, b, inLengths[b], labels, starts[b], labelStep, outLengths[b], blank);
                losses[b] = compute == DType.Float64 ? problem.NegLogLikelihood<double>() : problem.NegLogLikelihood<float>();
            }
        });
        if (zeroInfinity)
        {
            for (int b = 0; b < losses.Length; b++)
            {
                if (double.IsPositiveInfinity(losses[b])) losses[b] = 0;
            }
        }
        if (how == LossReduction.None)
            return LossResults.FromValues(losses, form.Batched ? [form.Batch] : [], compute).To(logProbs.DType);
        double total = 0;
        for (int b = 0; b < losses.Length; b++)
            total += how == LossReduction.Mean ? losses[b] / Math.Max(outLengths[b], 1) : losses[b];
        return LossResults.Scalar(how == LossReduction.Mean ? total / losses.Length : total, compute, logProbs.DType);
    }

    /// <summary>Where each batch element's labels start in <paramref name="labels"/>, after checking every length.</summary>
    private static long[] TargetStarts(Tensor labels, LossRules.CtcForm form, long[] inLengths, long[] outLengths, long time)
    {
        var starts = new long[form.Batch];
        long position = 0;
        for (int b = 0; b < starts.Length; b++)
        {
            if (inLengths[b] < 0 || inLengths[b] > time)
                throw new ArgumentException($"{Op}: input_lengths[{b}] is {inLengths[b]}, but must be in [0, {time}] (the length T of log_probs)");
            if (outLengths[b] < 0)
                throw new ArgumentException($"{Op}: target_lengths[{b}] is {outLengths[b]}, but must not be negative");
            if (form.Padded)
            {
                if (outLengths[b] > labels.shape[1])
                    throw new ArgumentException($"{Op}: target_lengths[{b}] is {outLengths[b]}, more than the {labels.shape[1]} columns of the padded targets {Shapes.Format(labels.shape)}");
                starts[b] = b * labels.strides[0];
            }
            else
            {
                starts[b] = position * labels.strides[0];
                position += outLengths[b];
            }
        }
        if (!form.Padded && position != labels.shape[0])
            throw new ArgumentException($"{Op}: the concatenated targets hold {labels.shape[0]} labels, but target_lengths add up to {position}");
        return starts;
    }

    private static void CheckLabels(Tensor labels, long[] starts, long step, long[] outLengths, long classes)
    {
        for (int b = 0; b < starts.Length; b++)
        {
            for (long i = 0; i < outLengths[b]; i++)
            {
                long label = labels.Ref<long>(starts[b] + i * step);
                if (label < 0 || label >= classes)
                    throw new IndexOutOfRangeException($"{Op}: target {label} (label {i} of batch element {b}) is out of bounds for {classes} classes");
            }
        }
    }

    /// <summary>One batch element's forward pass.</summary>
    private readonly struct Problem(Tensor lp, long batch, long inputLength, Tensor labels, long start, long step, long targetLength, long blank)
    {
        /// <summary>The label of extended state <paramref name="s"/>: the blank at even states, target label (s - 1)/2 at odd ones.</summary>
        private long State(long s) => s % 2 == 0 ? blank : labels.Ref<long>(start + s / 2 * step);

        private double LogProb<T>(long t, long label) where T : unmanaged, IFloatingPointIeee754<T> =>
            double.CreateTruncating(lp.Ref<T>(t * lp.strides[0] + batch * lp.strides[1] + label * lp.strides[2]));

        public double NegLogLikelihood<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (inputLength == 0) return targetLength == 0 ? 0 : double.PositiveInfinity;
            int states = (int)(2 * targetLength + 1);
            var previous = new double[states];
            var current = new double[states];
            Array.Fill(previous, double.NegativeInfinity);
            previous[0] = LogProb<T>(0, blank);
            if (targetLength > 0) previous[1] = LogProb<T>(0, State(1));
            for (long t = 1; t < inputLength; t++)
            {
                for (int s = 0; s < states; s++)
                {
                    long label = State(s);
                    double a1 = previous[s];
                    double a2 = s > 0 ? previous[s - 1] : double.NegativeInfinity;
                    double a3 = s > 1 && State(s - 2) != label ? previous[s - 2] : double.NegativeInfinity;
                    current[s] = LogSumExp(a1, a2, a3) + LogProb<T>(t, label);
                }
                (previous, current) = (current, previous);
            }
            if (targetLength == 0) return -previous[0];
            return -LogSumExp(previous[states - 1], previous[states - 2], double.NegativeInfinity);
        }

        /// <summary>log(e^a + e^b + e^c) around the largest (0 when all are -∞, so -∞ - -∞ never happens).</summary>
        private static double LogSumExp(double a, double b, double c)
        {
            double max = Math.Max(a, Math.Max(b, c));
            if (double.IsNegativeInfinity(max)) max = 0;
            return Math.Log(Math.Exp(a - max) + Math.Exp(b - max) + Math.Exp(c - max)) + max;
        }
    }
}
