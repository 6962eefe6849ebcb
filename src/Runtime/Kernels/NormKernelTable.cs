using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Norm;

namespace Kiln.Kernels;

/// <summary>
/// The CPU kernels of the norm op family, by op name. batch_norm and instance_norm are functional here:
/// given running statistics, they return their updated values as the results new_running_mean and
/// new_running_var and leave the inputs unchanged.
/// </summary>
internal static class NormKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("batch_norm", (x, a) =>
        {
            var (input, mean, variance, weight, bias) = NormRules.ChannelNormInputs("batch_norm", x);
            return Results(NormKernels.BatchNorm(input, mean, variance, weight, bias, a.GetBool("training", false), Momentum(a), Eps(a)));
        }),
        ("instance_norm", (x, a) =>
        {
            var (input, mean, variance, weight, bias) = NormRules.ChannelNormInputs("instance_norm", x);
            return Results(NormKernels.InstanceNorm(input, mean, variance, weight, bias, a.GetBool("use_input_stats", true), Momentum(a), Eps(a)));
        }),
        ("layer_norm", (x, a) => [NormKernels.LayerNorm("layer_norm", x[0], NormOps.NormalizedShape("layer_norm", a), At(x, 1), At(x, 2), Eps(a), rms: false)]),
        ("group_norm", (x, a) => [NormKernels.GroupNorm(x[0], NormOps.NumGroups(a), At(x, 1), At(x, 2), Eps(a))]),
        ("rms_norm", (x, a) => [NormKernels.LayerNorm("rms_norm", x[0], NormOps.NormalizedShape("rms_norm", a), At(x, 1), null,
            a.GetOptionalDouble("eps") ?? NormRules.RmsNormDefaultEps(x[0].DType), rms: true)]),
    ];

    private static double Momentum(Attrs a) => a.GetDouble("momentum", 0.1);

    private static double Eps(Attrs a) => a.GetDouble("eps", 1e-5);

    private static Tensor? At(IReadOnlyList<Tensor> inputs, int i) => i < inputs.Count ? inputs[i] : null;

    private static Tensor[] Results((Tensor Out, Tensor? NewMean, Tensor? NewVar) r) =>
        r.NewMean is null || r.NewVar is null ? [r.Out] : [r.Out, r.NewMean, r.NewVar];
}
