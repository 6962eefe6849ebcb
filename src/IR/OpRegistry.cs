using System.Collections.Frozen;
using Kiln.IR.Ops;

namespace Kiln.IR;

/// <summary>Every primitive op, by name. Each family file contributes its <see cref="OpDef"/>s.</summary>
public static class OpRegistry
{
    private static readonly FrozenDictionary<string, OpDef> ByName = Build();

    /// <summary>Every registered op, ordered by name.</summary>
    public static IReadOnlyList<OpDef> All { get; } = ByName.Values.OrderBy(o => o.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The op called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No op has that name.</exception>
    public static OpDef Get(string name) =>
        ByName.TryGetValue(name, out var op) ? op : throw new KeyNotFoundException($"no op named '{name}' is registered");

    /// <summary>The op called <paramref name="name"/>, or null.</summary>
    public static OpDef? Find(string name) => ByName.GetValueOrDefault(name);

    private static FrozenDictionary<string, OpDef> Build()
    {
        var all = new Dictionary<string, OpDef>(StringComparer.Ordinal);
        foreach (var family in new[]
        {
            ElementwiseOps.All, ComparisonOps.All, ReductionOps.All, LinalgOps.All, ConversionOps.All,
            ConvOps.All, PoolingOps.All, NormOps.All, AttentionOps.All, RecurrentOps.All, RandomOps.All, IndexingOps.All, MovementOps.All, LossOps.All, ViewOps.All,
        })
        {
            foreach (var op in family)
            {
                if (!all.TryAdd(op.Name, op))
                    throw new InvalidOperationException($"op '{op.Name}' is registered twice");
            }
        }
        return all.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
