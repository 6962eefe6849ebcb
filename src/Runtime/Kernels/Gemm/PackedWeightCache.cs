using System.Numerics;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// Weights packed once for the GEMM and reused by every later product with them (as ONNX Runtime prepacks), instead of
/// packing all k·n elements again on each call: at batch 64 through a 784×512 linear layer the packing is a large share
/// of the product. Each packed copy hangs off the weight's <see cref="Storage"/> (<see cref="Storage.PackedWeights"/>),
/// keyed by where the matrix lies in it (offset, sizes, strides, element type) and tagged with the storage's
/// <see cref="Storage.Version"/> when packing began: every in-place write bumps the version, so a copy of older contents
/// is never used again, and the next product packs afresh and replaces it.
/// </summary>
internal static unsafe class PackedWeightCache
{
    /// <summary>Packed matrices kept per storage: a fused q/k/v projection holds three slices of one storage.</summary>
    private const int MaxEntries = 4;

    /// <summary>
    /// Where a packed matrix lies in its storage (B[0, 0] at element Offset, in units of the element type) and what it
    /// was packed for (its k×n sizes, element strides and micro-kernel).
    /// </summary>
    internal readonly record struct Key(Type Element, long Offset, int K, int N, nint RowStride, nint ColStride, MicroKernelChoice Kernel);

    /// <summary>One packed matrix (a <see cref="PackedMatrixB{T}"/> of the key's element type) and the storage version whose contents it holds.</summary>
    internal sealed record Entry(Key Key, int Version, object Packed);

    /// <summary>
    /// The packed form of B (k×n at element <paramref name="offset"/> of <paramref name="storage"/>, strides
    /// <paramref name="stride"/>; <paramref name="b"/> points at B[0, 0]) for the best micro-kernel: the cached one when
    /// the storage has not been written since it was packed, else packed now and cached. Threads may call this on one
    /// storage at once: entries are immutable and published by compare-and-swap, so two threads racing to pack the same
    /// weight both get a correct copy and one of them is kept.
    /// </summary>
    internal static PackedMatrixB<T> Get<T>(Storage storage, long offset, int k, int n, (nint Row, nint Col) stride, T* b)
        where T : unmanaged, INumberBase<T>
    {
        // Read before packing: a write that lands while we pack leaves this copy tagged with a version that is already
        // stale, so it is never used, rather than torn contents tagged as current.
        int version = Volatile.Read(ref storage.Version);
        var kernel = Gemm.BestKernel<T>();
        var key = new Key(typeof(T), offset, k, n, stride.Row, stride.Col, kernel);
        foreach (var e in Volatile.Read(ref storage.PackedWeights) ?? [])
        {
            if (e.Version == version && e.Key == key) return (PackedMatrixB<T>)e.Packed;
        }
        var packed = PackedMatrixB<T>.Pack(k, n, new MatrixRef<T>(b, stride.Row, stride.Col), kernel);
        Publish(storage, new Entry(key, version, packed));
        return packed;
    }

    /// <summary>Puts <paramref name="entry"/> first among <paramref name="storage"/>'s entries, in place of any older copy of the same matrix.</summary>
    private static void Publish(Storage storage, Entry entry)
    {
        while (true)
        {
            var old = Volatile.Read(ref storage.PackedWeights);
            var kept = new List<Entry>(MaxEntries) { entry };
            foreach (var e in old ?? [])
            {
                if (kept.Count < MaxEntries && e.Key != entry.Key) kept.Add(e);
            }
            if (Interlocked.CompareExchange(ref storage.PackedWeights, [.. kept], old) == old) return;
        }
    }
}
