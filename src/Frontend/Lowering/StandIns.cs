using Kiln.IR;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// The sizes that stand in for the symbolic dims of the input types during call-site tracing: two different sizes
/// per symbol (a library call is recorded with both and must record the same nodes), primes unlike any constant
/// dim of the inputs, so a size that leaks into an attribute or constant shows.
/// </summary>
internal sealed class StandIns
{
    private static readonly long[] Primes = [17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

    private StandIns(IReadOnlyDictionary<string, long> first, IReadOnlyDictionary<string, long> second)
    {
        First = first;
        Second = second;
    }

    /// <summary>The sizes of the first recording, by symbol.</summary>
    public IReadOnlyDictionary<string, long> First { get; }

    /// <summary>The sizes of the second recording, by symbol.</summary>
    public IReadOnlyDictionary<string, long> Second { get; }

    /// <summary>Whether the inputs have symbolic dims at all.</summary>
    public bool Any => First.Count > 0;

    /// <summary>Stand-in sizes for the symbols of <paramref name="inputTypes"/>.</summary>
    /// <exception cref="ArgumentException">The inputs have more symbols than there are stand-in sizes.</exception>
    public static StandIns For(IReadOnlyList<IrType> inputTypes)
    {
        var tensors = inputTypes.SelectMany(Tensors).ToList();
        var symbols = tensors.SelectMany(t => t.Symbols).Distinct().ToList();
        var used = tensors.SelectMany(t => t.Shape).Where(d => d.IsConstant).Select(d => d.Size).ToHashSet();
        var free = Primes.Where(p => !used.Contains(p)).ToList();
        if (free.Count < 2 * symbols.Count)
            throw new ArgumentException($"the inputs have {symbols.Count} symbolic dims; scripting supports at most {free.Count / 2}");
        return new StandIns(
            symbols.Select((s, i) => (s, free[i])).ToDictionary(p => p.s, p => p.Item2),
            symbols.Select((s, i) => (s, free[symbols.Count + i])).ToDictionary(p => p.s, p => p.Item2));
    }

    /// <summary>Whether <paramref name="size"/> is one of the first recording's stand-in sizes.</summary>
    public bool IsFirst(long size) => First.Values.Contains(size);

    private static IEnumerable<TensorValueType> Tensors(IrType type) => type switch
    {
        TensorValueType t => [t],
        TupleType t => t.Elements.SelectMany(Tensors),
        ListType l => Tensors(l.Element),
        OptionalType o => Tensors(o.Inner),
        _ => [],
    };
}
