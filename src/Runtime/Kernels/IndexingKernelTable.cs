using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;
using Kiln.NN;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the indexing op family, by op name.</summary>
internal static class IndexingKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("gather", (x, a) => [x[0].Gather(Dim("gather", a), x[1])]),
        ("scatter", (x, a) => [Scatter(x, a)]),
        ("scatter_add", (x, a) => [x[0].ScatterAdd(Dim("scatter_add", a), x[1], x[2])]),
        ("scatter_reduce", (x, a) => [x[0].ScatterReduce(Dim("scatter_reduce", a), x[1], x[2],
            a["reduce"] as string ?? throw new ArgumentException("scatter_reduce: the 'reduce' attribute is required"), a.GetBool("include_self", true))]),
        ("index_select", (x, a) => [x[0].IndexSelect(Dim("index_select", a), x[1])]),
        ("index_add", (x, a) => [x[0].IndexAdd(Dim("index_add", a), x[1], x[2], a.GetDouble("alpha", 1))]),
        ("index", (x, a) => [x[0].IndexWith(x.Skip(1).ToArray(), IndexingOps.Dims(a))]),
        ("index_put", (x, a) => [x[0].Clone().IndexPutWith(x.Skip(2).ToArray(), x[1], IndexingOps.Dims(a), a.GetBool("accumulate", false))]),
        ("masked_fill", (x, a) => [MaskedFill(x, a)]),
        ("masked_select", (x, _) => [x[0].MaskedSelect(x[1])]),
        ("nonzero", (x, _) => [x[0].Nonzero()]),
        ("one_hot", (x, a) => [Functional.OneHot(x[0], a.GetLong("num_classes", -1))]),
        ("embedding", (x, a) => [Functional.Embedding(x[0], x[1], IndexingOps.PaddingIdx(a))]),
        ("embedding_backward", (x, a) => [EmbeddingBackwardKernel.Run(x[0], x[1], IndexingRules.RequiredLong("embedding_backward", a, "num_weights"), IndexingOps.PaddingIdx(a))]),
    ];

    private static long Dim(string op, Attrs a) => IndexingRules.RequiredLong(op, a, "dim");

    private static Tensor Scatter(IReadOnlyList<Tensor> x, Attrs a)
    {
        IndexingOps.CheckScatterSource(Calls.Of("scatter", IndexingOps.Scatter, [.. x]), a);
        long dim = Dim("scatter", a);
        if (x.Count == 3) return x[0].Scatter(dim, x[1], x[2]);
        return a["value"] is long l ? x[0].Scatter(dim, x[1], l) : x[0].Scatter(dim, x[1], a.GetDouble("value", 0));
    }

    private static Tensor MaskedFill(IReadOnlyList<Tensor> x, Attrs a)
    {
        IndexingOps.CheckFillSource(Calls.Of("masked_fill", IndexingOps.MaskedFill, [.. x]), a);
        if (x.Count == 3) return x[0].MaskedFill(x[1], x[2]);
        return a["value"] is long l ? x[0].MaskedFill(x[1], l) : x[0].MaskedFill(x[1], a.GetDouble("value", 0));
    }
}
