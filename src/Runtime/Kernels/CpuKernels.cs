using System.Collections.Frozen;
using Kiln.IR;

namespace Kiln.Kernels;

/// <summary>Runs one op on CPU tensors: its inputs in the order of <see cref="OpDef.Inputs"/>, its attributes, its results.</summary>
internal delegate Tensor[] CpuKernel(IReadOnlyList<Tensor> inputs, Attrs attrs);

/// <summary>
/// The CPU backend's table: one kernel per registered op, keyed by op name. Eager <see cref="Tensor"/>
/// methods call the same kernel functions directly; this table serves generic callers (the op tests,
/// later the graph executor).
/// </summary>
internal static class CpuKernels
{
    private static readonly FrozenDictionary<string, CpuKernel> Table = Build();

    /// <summary>The names of the ops that have a CPU kernel.</summary>
    internal static IEnumerable<string> Names => Table.Keys;

    /// <summary>Runs op <paramref name="op"/> on <paramref name="inputs"/>.</summary>
    /// <exception cref="KeyNotFoundException">The op has no CPU kernel.</exception>
    internal static Tensor[] Invoke(string op, IReadOnlyList<Tensor> inputs, Attrs attrs)
    {
        if (!Table.TryGetValue(op, out var kernel))
            throw new KeyNotFoundException($"op '{op}' has no CPU kernel");
        var def = OpRegistry.Get(op);
        def.ValidateAttributes(attrs);
        def.CheckInputCount(inputs.Count);
        return kernel(inputs, attrs);
    }

    private static FrozenDictionary<string, CpuKernel> Build()
    {
        var table = new Dictionary<string, CpuKernel>(StringComparer.Ordinal);
        foreach (var (name, kernel) in ElementwiseKernelTable.Entries
            .Concat(ReductionKernelTable.Entries)
            .Concat(LinalgKernelTable.Entries)
            .Concat(ConvKernelTable.Entries)
            .Concat(PoolingKernelTable.Entries)
            .Concat(NormKernelTable.Entries)
            .Concat(AttentionKernelTable.Entries)
            .Concat(RecurrentKernelTable.Entries)
            .Concat(RandomKernelTable.Entries)
            .Concat(IndexingKernelTable.Entries)
            .Concat(MovementKernelTable.Entries)
            .Concat(LossKernelTable.Entries)
            .Concat(ViewKernelTable.Entries))
        {
            if (!table.TryAdd(name, kernel))
                throw new InvalidOperationException($"op '{name}' has two CPU kernels");
        }
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
