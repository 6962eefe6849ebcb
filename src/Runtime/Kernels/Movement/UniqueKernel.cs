namespace Kiln.Kernels.Movement;

/// <summary>
/// unique over the flattened tensor. Integers (and bool) whose keys span a range not much larger than the element
/// count are counted in a table indexed by key, in linear time; anything else takes one stable (radix) sort of
/// (key, index) entries, whose runs of equal keys are the distinct values (NaNs never join a run). Either way
/// each distinct value is read from its first occurrence, so of -0 and 0 the one that comes first is kept.
/// </summary>
internal static class UniqueKernel
{
    /// <summary>The sorted distinct values, each element's int64 position among them (in the input's shape) and the int64 counts.</summary>
    internal static (Tensor Values, Tensor Inverse, Tensor Counts) Run(Tensor input)
    {
        var action = new Action(input.Contiguous());
        KeyedDispatch.Run(input.DType, ref action);
        return (action.Values!, action.Inverse!.View(input.Shape), action.Counts!);
    }

    private struct Action(Tensor input) : IKeyedAction
    {
        public Tensor? Values { get; private set; }
        public Tensor? Inverse { get; private set; }
        public Tensor? Counts { get; private set; }

        public void Invoke<T, TKey, TEntry>()
            where T : unmanaged where TKey : struct, ISortKey<T> where TEntry : unmanaged, ISortEntry<TEntry>
        {
            int n = (int)input.numel;
            var source = input.Span<T>();
            var inverse = Tensor.Empty(DType.Int64, [n]);
            var firsts = new List<int>();
            var counts = new List<long>();
            if (!input.DType.IsFloatingPoint() && n > 0 && DenseRange<T, TKey>(source) is { } range)
                ByTable<T, TKey>(source, range, inverse.Span<long>(), firsts, counts);
            else
                BySorting<T, TKey, TEntry>(source, inverse.Span<long>(), firsts, counts);
            var values = Tensor.Empty(input.DType, [firsts.Count]);
            var distinct = values.Span<T>();
            for (int g = 0; g < firsts.Count; g++)
                distinct[g] = source[firsts[g]];
            Values = values;
            Inverse = inverse;
            Counts = Tensor.FromArray(counts.ToArray());
        }
    }

    /// <summary>The smallest key and the key range, when a table of that many counters is cheap next to the element count.</summary>
    private static (ulong Min, int Size)? DenseRange<T, TKey>(ReadOnlySpan<T> source) where T : unmanaged where TKey : struct, ISortKey<T>
    {
        ulong min = ulong.MaxValue, max = 0;
        foreach (var v in source)
        {
            ulong key = TKey.Key(v);
            min = Math.Min(min, key);
            max = Math.Max(max, key);
        }
        ulong size = max - min + 1;
        return size <= (ulong)Math.Max(1 << 16, 2 * source.Length) ? (min, (int)size) : null;
    }

    /// <summary>Counts each key in a table (integer keys are one-to-one with values), then numbers the keys that occur in order.</summary>
    private static void ByTable<T, TKey>(ReadOnlySpan<T> source, (ulong Min, int Size) range, Span<long> inverse, List<int> firsts, List<long> counts)
        where T : unmanaged where TKey : struct, ISortKey<T>
    {
        var first = new int[range.Size];
        var tally = new long[range.Size];
        for (int j = 0; j < source.Length; j++)
        {
            int slot = (int)(TKey.Key(source[j]) - range.Min);
            if (tally[slot]++ == 0) first[slot] = j;
        }
        var group = new long[range.Size];
        for (int slot = 0; slot < range.Size; slot++)
        {
            if (tally[slot] == 0) continue;
            group[slot] = firsts.Count;
            firsts.Add(first[slot]);
            counts.Add(tally[slot]);
        }
        for (int j = 0; j < source.Length; j++)
            inverse[j] = group[(int)(TKey.Key(source[j]) - range.Min)];
    }

    /// <summary>Sorts (key, index) entries stably; each run of equal keys (NaNs excepted) is one distinct value, read from its first element.</summary>
    private static void BySorting<T, TKey, TEntry>(ReadOnlySpan<T> source, Span<long> inverse, List<int> firsts, List<long> counts)
        where T : unmanaged where TKey : struct, ISortKey<T> where TEntry : unmanaged, ISortEntry<TEntry>
    {
        int n = source.Length;
        var entries = GC.AllocateUninitializedArray<TEntry>(n);
        for (int j = 0; j < n; j++)
            entries[j] = TEntry.Make(TKey.Key(source[j]), j);
        RadixSort.Sort(entries.AsSpan(), GC.AllocateUninitializedArray<TEntry>(n));
        for (int j = 0; j < n; j++)
        {
            int index = entries[j].Index;
            bool joins = j > 0 && entries[j].Key == entries[j - 1].Key && !TKey.IsNaN(source[index]);
            if (!joins)
            {
                firsts.Add(index);
                counts.Add(0);
            }
            counts[^1]++;
            inverse[index] = counts.Count - 1;
        }
    }
}
