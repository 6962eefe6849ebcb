using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>
/// cross_entropy_backward and nll_loss_backward: the input gradient of the class losses, one pass per position
/// (a row of C classes). With q the position's target distribution (weight·(1 - ε) at the target class plus
/// ε/C·weight_c everywhere; w_c·((1 - ε)·y_c + ε/C) for class probabilities), cross_entropy's gradient is
/// g·(Σq·softmax(x) - q) and nll_loss's is -g·w at the target class; ignored targets give zeros. g is the
/// position's loss gradient divided, for mean, by the forward's denominator (the summed target weights, or the
/// number of positions with class probabilities). Rows run in float32 (float64 for float64), split over both cores.
/// </summary>
internal sealed class ClassLossBackwardKernel
{
    /// <summary>Input elements below which the work stays on the calling thread.</summary>
    private const long Grain = 1 << 14;

    private readonly ClassLayout input;
    private readonly ClassLayout target;
    private readonly Tensor? weight;
    private readonly long ignoreIndex;
    private readonly double smoothing;
    private readonly bool softmax;
    private readonly bool probabilities;

    private ClassLossBackwardKernel(ClassLayout input, ClassLayout target, Tensor? weight, long ignoreIndex, double smoothing, bool softmax, bool probabilities)
    {
        (this.input, this.target, this.weight, this.ignoreIndex) = (input, target, weight, ignoreIndex);
        (this.smoothing, this.softmax, this.probabilities) = (smoothing, softmax, probabilities);
    }

    /// <summary>The gradient of <paramref name="op"/> (<c>cross_entropy</c> or <c>nll_loss</c>) with respect to its input.</summary>
    /// <exception cref="ArgumentException">The call is invalid, or grad_output does not have the loss's shape.</exception>
    /// <exception cref="IndexOutOfRangeException">A target is neither a class index nor ignore_index.</exception>
    internal static Tensor Run(string op, Tensor gradOutput, Tensor input, Tensor target, Tensor? weight, long ignoreIndex, string reduction, double labelSmoothing)
    {
        bool softmax = op == "cross_entropy";
        var how = LossRules.ParseReduction(op + "_backward", reduction);
        var form = LossRules.ClassLoss(op + "_backward", LossResults.TypeOf(input)!, LossResults.TypeOf(target)!, LossResults.TypeOf(weight), ignoreIndex, labelSmoothing, allowProbabilities: softmax);
        LossOps.CheckGradOutput(op + "_backward", LossResults.TypeOf(gradOutput)!, new TensorType(form.ResultDType, LossRules.ResultShape(how, form.UnreducedShape)),
            LossResults.TypeOf(input)!, new Attrs { { "reduction", reduction } });
        var compute = form.ResultDType == DType.Float64 || input.DType == DType.Float64 ? DType.Float64 : DType.Float32;
        var x = ClassLayout.OfInput(input.To(compute));
        var t = form.Probabilities ? ClassLayout.OfInput(target.To(compute)) : ClassLayout.OfTarget(target);
        var kernel = new ClassLossBackwardKernel(x, t, weight?.To(compute).Contiguous(), ignoreIndex, labelSmoothing, softmax, form.Probabilities);
        var g = gradOutput.To(compute).Contiguous();
        var result = Tensor.Empty(compute, input.Shape);
        if (compute == DType.Float64) kernel.Compute<double>(g, how, result);
        else kernel.Compute<float>(g, how, result);
        return result.To(input.DType);
    }

    private void Compute<T>(Tensor grad, LossReduction reduction, Tensor result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long positions = input.Positions, classes = input.C;
        if (result.numel == 0) return;
        T shared = reduction == LossReduction.None ? T.Zero : grad.Ref<T>(0);
        if (reduction == LossReduction.Mean) shared /= probabilities ? T.CreateTruncating(positions) : WeightSum<T>();
        T weightTotal = weight is null ? T.CreateTruncating(classes) : TensorPrimitives.Sum<T>(weight.Span<T>());
        CpuParallel.For(positions, Math.Max(1, Grain / Math.Max(classes, 1)), (first, end) =>
        {
            var row = new T[classes];
            var targetRow = probabilities ? new T[classes] : null;
            var output = new T[classes];
            var distribution = probabilities ? new T[classes] : null;
            for (long p = first; p < end; p++)
            {
                T g = reduction == LossReduction.None ? grad.Ref<T>(p) : shared;
                Gather(input, p, row);
                if (probabilities) Soft(row, Gathered(target, p, targetRow!), g, distribution!, output);
                else Hard(row, Target(p), g, weightTotal, output);
                Scatter(output, p, result);
            }
        });
    }

    /// <summary>Σ weight[target] over the positions not ignored: the denominator of the forward's weighted mean.</summary>
    private T WeightSum<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (long p = 0; p < input.Positions; p++)
        {
            long t = Target(p);
            if (t != ignoreIndex) sum += weight is null ? 1 : double.CreateTruncating(weight.Ref<T>(t));
        }
        return T.CreateTruncating(sum);
    }

    private long Target(long p)
    {
        long t = target.Tensor.Ref<long>(target.Offset(p));
        if (t != ignoreIndex && (t < 0 || t >= input.C))
            throw new IndexOutOfRangeException($"{(softmax ? "cross_entropy" : "nll_loss")}_backward: target {t} at position {p} is out of bounds for {input.C} classes (expected a class index in [0, {input.C}) or ignore_index {ignoreIndex})");
        return t;
    }

    /// <summary>The gradient row of a class-index target <paramref name="t"/>.</summary>
    private void Hard<T>(T[] row, long t, T g, T weightTotal, T[] output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Array.Clear(output);
        if (t == ignoreIndex) return;
        T w = weight is null ? T.One : weight.Ref<T>(t);
        if (!softmax)
        {
            output[t] = -g * w;
            return;
        }
        T eps = T.CreateTruncating(smoothing), spread = eps / T.CreateTruncating(input.C);
        T atTarget = (T.One - eps) * w;
        Softmax(row, output, g * (atTarget + spread * weightTotal));
        output[t] -= g * atTarget;
        if (smoothing == 0) return;
        if (weight is null) TensorPrimitives.Subtract(output, g * spread, output);
        else TensorPrimitives.MultiplyAdd(weight.Span<T>(), -g * spread, output, output);
    }

    /// <summary>The gradient row of class probabilities <paramref name="probs"/>; <paramref name="q"/> is a buffer for the target distribution.</summary>
    private void Soft<T>(T[] row, ReadOnlySpan<T> probs, T g, T[] q, T[] output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.One - T.CreateTruncating(smoothing), spread = T.CreateTruncating(smoothing) / T.CreateTruncating(input.C);
        for (int c = 0; c < q.Length; c++)
            q[c] = (weight is null ? T.One : weight.Ref<T>(c)) * (probs[c] * keep + spread);
        Softmax(row, output, g * TensorPrimitives.Sum<T>(q));
        TensorPrimitives.MultiplyAdd(q, -g, output, output);
    }

    /// <summary><paramref name="output"/> = <paramref name="scale"/>·softmax(<paramref name="row"/>).</summary>
    private static void Softmax<T>(T[] row, T[] output, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length == 0) return;
        T max = TensorPrimitives.Max<T>(row);
        TensorPrimitives.Subtract(row, max, output);
        TensorPrimitives.Exp<T>(output, output);
        TensorPrimitives.Multiply(output, scale / TensorPrimitives.Sum<T>(output), output);
    }

    private static void Gather<T>(ClassLayout layout, long p, T[] row) where T : unmanaged
    {
        long offset = layout.Offset(p);
        if (layout.StrideC == 1)
        {
            layout.Tensor.Span<T>(offset, row.Length).CopyTo(row);
            return;
        }
        for (int c = 0; c < row.Length; c++) row[c] = layout.Tensor.Ref<T>(offset + c * layout.StrideC);
    }

    private static T[] Gathered<T>(ClassLayout layout, long p, T[] row) where T : unmanaged
    {
        Gather(layout, p, row);
        return row;
    }

    /// <summary>Writes a row into the contiguous result, whose class dim has stride D.</summary>
    private void Scatter<T>(T[] row, long p, Tensor result) where T : unmanaged
    {
        long n = p / input.D, d = p % input.D, start = n * input.C * input.D + d;
        if (input.D == 1)
        {
            row.CopyTo(result.Span<T>(start, row.Length));
            return;
        }
        for (int c = 0; c < row.Length; c++) result.Ref<T>(start + c * input.D) = row[c];
    }
}
