using System.Numerics;
using System.Runtime.CompilerServices;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>
/// cosine_embedding_loss: the cosine of each pair of rows (one pass accumulating the dot product and both
/// squared norms in float64), then 1 - cos where the target is 1, max(0, cos - margin) where it is -1, 0
/// elsewhere. PyTorch's form: cos = x·y / sqrt((|x|² + 1e-12)(|y|² + 1e-12)).
/// </summary>
internal static class CosineEmbeddingKernel
{
    private const string Op = "cosine_embedding_loss";
    private const double Epsilon = 1e-12;

    /// <summary>Checks the call with <see cref="LossRules.CosineEmbeddingShape"/> and runs it.</summary>
    internal static Tensor Run(Tensor input1, Tensor input2, Tensor target, double margin, string reduction)
    {
        var how = LossRules.ParseReduction(Op, reduction);
        LossRules.CheckFloat(Op, input1.DType, "input1");
        var shape = LossRules.CosineEmbeddingShape(LossResults.TypeOf(input1)!, LossResults.TypeOf(input2)!, LossResults.TypeOf(target)!);
        var result = LossRules.Promote(LossResults.TypeOf(input1)!, LossResults.TypeOf(input2)!);
        var compute = LossResults.ComputeDType(input1, input2);
        var both = Shapes.Broadcast(Op, input1.shape, input2.shape);
        var a = input1.To(compute).Expand(both);
        var b = input2.To(compute).Expand(both);
        var cos = compute == DType.Float64 ? Cosines<double>(a, b) : Cosines<float>(a, b);
        var labels = target.To(DType.Float64).Contiguous().ToArray<double>();
        var losses = new double[Shapes.Numel(shape)];
        for (int i = 0; i < losses.Length; i++)
        {
            double c = cos[cos.Length == 1 ? 0 : i], y = labels[labels.Length == 1 ? 0 : i];
            double negative = c - margin;
            losses[i] = y == 1 ? 1 - c : y == -1 ? (negative < 0 ? 0 : negative) : 0;
        }
        return LossResults.Reduce(LossResults.FromValues(losses, shape, compute), how, result);
    }

    /// <summary>The cosine of each row pair of <paramref name="a"/> and <paramref name="b"/> (1-d: one pair), in parallel over rows.</summary>
    private static double[] Cosines<T>(Tensor a, Tensor b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool matrix = a.Dim == 2;
        long rows = matrix ? a.shape[0] : 1, width = a.shape[^1];
        long rowA = matrix ? a.strides[0] : 0, rowB = matrix ? b.strides[0] : 0, stepA = a.strides[^1], stepB = b.strides[^1];
        var cos = new double[rows];
        CpuParallel.For(rows, Math.Max(1, CpuParallel.ElementwiseGrain / Math.Max(width, 1)), (first, end) =>
        {
            for (long r = first; r < end; r++)
            {
                ref T x = ref a.Ref<T>(r * rowA);
                ref T y = ref b.Ref<T>(r * rowB);
                double dot = 0, xx = 0, yy = 0;
                for (long k = 0; k < width; k++)
                {
                    double u = double.CreateTruncating(Unsafe.Add(ref x, (nint)(k * stepA)));
                    double v = double.CreateTruncating(Unsafe.Add(ref y, (nint)(k * stepB)));
                    dot += u * v;
                    xx += u * u;
                    yy += v * v;
                }
                cos[r] = dot / Math.Sqrt((xx + Epsilon) * (yy + Epsilon));
            }
        });
        return cos;
    }
}
