using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Attention;

/// <summary>
/// One thread's pinned work space for <see cref="FlashAttention{T, TKernel}"/>, kept between calls so a
/// steady stream of attention calls allocates nothing: the chunk's packed queries, accumulated outputs and
/// running maxima and sums, one key block of packed keys and values, one panel of scores, and dropout words.
/// </summary>
internal sealed unsafe class AttentionScratch<T>
    where T : unmanaged
{
    [ThreadStatic]
    private static AttentionScratch<T>? cached;

    private readonly (int Queries, int E, int EvRows, int KeyBlock) size;
    private readonly T[] buffer;
    private readonly uint[] words;

    private AttentionScratch((int Queries, int E, int EvRows, int KeyBlock) size)
    {
        this.size = size;
        // Key blocks are padded to whole micro-kernel tiles (at most 16 rows) when packed and multiplied.
        int keyRows = size.KeyBlock + 16;
        long elements = (long)size.Queries * (size.E + size.EvRows + 2) + (long)keyRows * size.E + (long)size.EvRows * keyRows + 32L * keyRows;
        buffer = GC.AllocateUninitializedArray<T>(checked((int)elements), pinned: true);
        words = new uint[size.KeyBlock];
        Ready = new bool[size.Queries];
        // The array lives on the pinned object heap, so addresses into it stay valid.
        T* p = (T*)Unsafe.AsPointer(ref buffer[0]);
        Queries = p;
        Acc = Queries + (nint)size.Queries * size.E;
        Max = Acc + (nint)size.Queries * size.EvRows;
        Sum = Max + size.Queries;
        Keys = Sum + size.Queries;
        Values = Keys + (nint)keyRows * size.E;
        Panel = Values + (nint)size.EvRows * keyRows;
    }

    /// <summary>Packed Qᵀ of the chunk (E × queries, in slivers).</summary>
    internal T* Queries { get; }

    /// <summary>The chunk's transposed outputs, one EvRows × NR block per sliver.</summary>
    internal T* Acc { get; }

    /// <summary>The running maximum of each query's scores.</summary>
    internal T* Max { get; }

    /// <summary>The running sum of each query's weights.</summary>
    internal T* Sum { get; }

    /// <summary>One key block of packed K.</summary>
    internal T* Keys { get; }

    /// <summary>One key block of packed Vᵀ.</summary>
    internal T* Values { get; }

    /// <summary>One sliver's panel of scores (key rows × NR lanes, NR ≤ 32).</summary>
    internal T* Panel { get; }

    /// <summary>Whether each sliver's outputs hold values yet.</summary>
    internal bool[] Ready { get; }

    /// <summary>Room for one key block of dropout words.</summary>
    internal Span<uint> Words => words;

    /// <summary>This thread's scratch, grown to hold a chunk of <paramref name="queries"/> queries and blocks of <paramref name="keyBlock"/> keys.</summary>
    internal static AttentionScratch<T> Get(int queries, int e, int evRows, int keyBlock)
    {
        var current = cached;
        if (current is null || current.size.Queries < queries || current.size.E < e || current.size.EvRows < evRows || current.size.KeyBlock < keyBlock)
        {
            var s = current?.size ?? default;
            current = new AttentionScratch<T>((Math.Max(queries, s.Queries), Math.Max(e, s.E), Math.Max(evRows, s.EvRows), Math.Max(keyBlock, s.KeyBlock)));
            cached = current;
        }
        return current;
    }
}
