using Kiln.IR;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the reduction op family, by op name.</summary>
internal static class ReductionKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("sum", (x, a) => [x[0].Sum(a.GetLongs("dim"), KeepDim(a))]),
        ("mean", (x, a) => [x[0].Mean(a.GetLongs("dim"), KeepDim(a))]),
        ("prod", (x, a) => [OptionalDim(a) is { } d ? x[0].Prod(d, KeepDim(a)) : x[0].Prod()]),
        ("amax", (x, a) => [x[0].Amax(a.GetLongs("dim"), KeepDim(a))]),
        ("amin", (x, a) => [x[0].Amin(a.GetLongs("dim"), KeepDim(a))]),
        ("max", (x, a) => Pair(x[0].Max(RequiredDim("max", a), KeepDim(a)))),
        ("min", (x, a) => Pair(x[0].Min(RequiredDim("min", a), KeepDim(a)))),
        ("argmax", (x, a) => [x[0].Argmax(OptionalDim(a), KeepDim(a))]),
        ("argmin", (x, a) => [x[0].Argmin(OptionalDim(a), KeepDim(a))]),
        ("var", (x, a) => [x[0].Var(a.GetLongs("dim"), a.GetDouble("correction", 1), KeepDim(a))]),
        ("std", (x, a) => [x[0].Std(a.GetLongs("dim"), a.GetDouble("correction", 1), KeepDim(a))]),
        ("logsumexp", (x, a) => [x[0].Logsumexp(a["dim"] is null ? throw new ArgumentException("logsumexp: the 'dim' attribute is required") : a.GetLongs("dim"), KeepDim(a))]),
        ("all", (x, a) => [OptionalDim(a) is { } d ? x[0].All(d, KeepDim(a)) : x[0].All()]),
        ("any", (x, a) => [OptionalDim(a) is { } d ? x[0].Any(d, KeepDim(a)) : x[0].Any()]),
        ("norm", (x, a) => [x[0].Norm(a.GetDouble("p", 2), a.GetLongs("dim"), KeepDim(a))]),
        ("softmax", (x, a) => [x[0].Softmax(RequiredDim("softmax", a))]),
        ("log_softmax", (x, a) => [x[0].LogSoftmax(RequiredDim("log_softmax", a))]),
        ("cumsum", (x, a) => [x[0].Cumsum(RequiredDim("cumsum", a))]),
        ("cumprod", (x, a) => [x[0].Cumprod(RequiredDim("cumprod", a))]),
    ];

    private static bool KeepDim(Attrs a) => a.GetBool("keepdim", false);

    private static long? OptionalDim(Attrs a) => a["dim"] is null ? null : a.GetLong("dim", 0);

    private static long RequiredDim(string op, Attrs a) =>
        a["dim"] is null ? throw new ArgumentException($"{op}: the 'dim' attribute is required") : a.GetLong("dim", 0);

    private static Tensor[] Pair((Tensor Values, Tensor Indices) result) => [result.Values, result.Indices];
}
