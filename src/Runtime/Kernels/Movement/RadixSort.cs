using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Movement;

/// <summary>
/// Sorting of (key, index) entries for long rows: a least-significant-digit radix sort on the key bytes, which is
/// stable, so entries made in index order come out in PyTorch's stable order; bytes every key shares (the upper
/// bytes of small integers, of 16-bit keys) cost no pass. Short rows use an introsort of the entries, which are
/// all distinct, so the order is the same.
/// </summary>
internal static class RadixSort
{
    /// <summary>Rows shorter than this are sorted by comparisons (the radix passes' 256-bucket overhead does not pay).</summary>
    internal const int Threshold = 256;

    /// <summary>Sorts <paramref name="entries"/> (made in index order); <paramref name="scratch"/> is at least as long.</summary>
    internal static void Sort<TEntry>(Span<TEntry> entries, Span<TEntry> scratch) where TEntry : unmanaged, ISortEntry<TEntry>
    {
        int n = entries.Length;
        if (n < Threshold)
        {
            entries.Sort();
            return;
        }
        // Only the bytes in which some keys differ need a pass (and a histogram).
        ulong any = 0, all = ulong.MaxValue;
        foreach (var entry in entries)
        {
            any |= entry.Key;
            all &= entry.Key;
        }
        ulong varying = any ^ all;
        Span<int> passes = stackalloc int[8];
        int passCount = 0;
        for (int b = 0; b < TEntry.KeyBytes; b++)
        {
            if ((varying >> (8 * b) & 0xFF) != 0) passes[passCount++] = b;
        }
        Span<int> counts = stackalloc int[256 * 8];
        counts[..(256 * passCount)].Clear();
        foreach (var entry in entries)
        {
            ulong key = entry.Key;
            for (int p = 0; p < passCount; p++)
                counts[p * 256 + (int)(key >> (8 * passes[p]) & 0xFF)]++;
        }
        Span<TEntry> source = entries, target = scratch[..n];
        for (int p = 0; p < passCount; p++)
        {
            var offsets = counts.Slice(p * 256, 256);
            int shift = 8 * passes[p], sum = 0;
            for (int i = 0; i < 256; i++)
            {
                int c = offsets[i];
                offsets[i] = sum;
                sum += c;
            }
            ref TEntry output = ref MemoryMarshal.GetReference(target);
            foreach (var entry in source)
                Unsafe.Add(ref output, offsets[(int)(entry.Key >> shift & 0xFF)]++) = entry;
            var swap = source;
            source = target;
            target = swap;
        }
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(entries)))
            source.CopyTo(entries);
    }
}
