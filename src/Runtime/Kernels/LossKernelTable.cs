using Kiln.IR;
using Kiln.Kernels.Loss;
using Kiln.NN;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the loss op family, by op name.</summary>
internal static class LossKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("cross_entropy", (x, a) => [Functional.CrossEntropy(x[0], x[1], Optional(x, 2), IgnoreIndex(a), Reduction(a), a.GetDouble("label_smoothing", 0))]),
        ("nll_loss", (x, a) => [Functional.NllLoss(x[0], x[1], Optional(x, 2), IgnoreIndex(a), Reduction(a))]),
        ("mse_loss", (x, a) => [Functional.MseLoss(x[0], x[1], Reduction(a))]),
        ("l1_loss", (x, a) => [Functional.L1Loss(x[0], x[1], Reduction(a))]),
        ("smooth_l1_loss", (x, a) => [Functional.SmoothL1Loss(x[0], x[1], Reduction(a), a.GetDouble("beta", 1))]),
        ("huber_loss", (x, a) => [Functional.HuberLoss(x[0], x[1], Reduction(a), a.GetDouble("delta", 1))]),
        ("binary_cross_entropy", (x, a) => [Functional.BinaryCrossEntropy(x[0], x[1], Optional(x, 2), Reduction(a))]),
        ("binary_cross_entropy_with_logits", (x, a) => [Functional.BinaryCrossEntropyWithLogits(x[0], x[1], Optional(x, 2), Reduction(a), Optional(x, 3))]),
        ("kl_div", (x, a) => [Functional.KlDiv(x[0], x[1], Reduction(a), a.GetBool("log_target", false))]),
        ("cosine_embedding_loss", (x, a) => [Functional.CosineEmbeddingLoss(x[0], x[1], x[2], a.GetDouble("margin", 0), Reduction(a))]),
        ("margin_ranking_loss", (x, a) => [Functional.MarginRankingLoss(x[0], x[1], x[2], a.GetDouble("margin", 0), Reduction(a))]),
        ("cross_entropy_backward", (x, a) => [ClassLossBackwardKernel.Run("cross_entropy", x[0], x[1], x[2], Optional(x, 3), IgnoreIndex(a), Reduction(a), a.GetDouble("label_smoothing", 0))]),
        ("nll_loss_backward", (x, a) => [ClassLossBackwardKernel.Run("nll_loss", x[0], x[1], x[2], Optional(x, 3), IgnoreIndex(a), Reduction(a), 0)]),
        ("ctc_loss_backward", (x, a) => [CtcLossBackwardKernel.Run(x[0], x[1], x[2], x[3], x[4], a.GetLong("blank", 0), Reduction(a), a.GetBool("zero_infinity", false))]),
        ("ctc_loss", (x, a) => [Functional.CtcLoss(x[0], x[1], x[2], x[3], a.GetLong("blank", 0), Reduction(a), a.GetBool("zero_infinity", false))]),
    ];

    private static string Reduction(Attrs a) => a.GetString("reduction", "mean");

    private static long IgnoreIndex(Attrs a) => a.GetLong("ignore_index", -100);

    private static Tensor? Optional(IReadOnlyList<Tensor> inputs, int index) => inputs.Count > index ? inputs[index] : null;
}
