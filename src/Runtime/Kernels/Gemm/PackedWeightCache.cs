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

    /// <summary>
    /// One prepared form of (part of) the storage's contents — a <see cref="PackedMatrixB{T}"/> for a <see cref="Key"/>,
    /// or whatever another kernel keys by its own record — and the storage version whose contents it holds; or, with no
    /// prepared form, a mark that a weight in training was last seen at that version (see <see cref="Get{T}"/>).
    /// </summary>
    internal sealed class Entry(object key, int version, object? packed)
    {
        internal object Key { get; } = key;

        internal int Version { get; } = version;

        internal object? Packed { get; } = packed;

        /// <summary>How many products have reused <see cref="Packed"/> since it was prepared (a hint, counted without locks).</summary>
        internal int Reuses;
    }

    /// <summary>
    /// Whether products keep <paramref name="weight"/> prepared across calls: a module's <see cref="NN.Parameter"/> or a leaf that
    /// requires grad, which outlive many calls and are written only through public in-place ops, optimizers and loading, all
    /// of which bump the storage version. Activations (a fresh storage per call) would fill the cache for nothing, and
    /// buffers a compiled graph reuses are rewritten without a version bump.
    /// </summary>
    internal static bool IsWeight(Tensor weight) => weight is NN.Parameter || (weight.IsLeaf && weight.RequiresGrad);

    /// <summary>
    /// The packed form of B (k×n at element <paramref name="offset"/> of <paramref name="storage"/>, strides
    /// <paramref name="stride"/>; <paramref name="b"/> points at B[0, 0]) for the best micro-kernel: the cached one when
    /// the storage has not been written since it was packed, else packed now and cached — or null while the weight is
    /// being trained: its last packed copy went stale before any product reused it, so packing it whole again (on one
    /// thread) would serve one product only, where the product's own packing is split between its threads. Null again
    /// until a product finds the weight unchanged since the previous one; then it is packed and cached once more.
    /// </summary>
    internal static PackedMatrixB<T>? Get<T>(Storage storage, long offset, int k, int n, (nint Row, nint Col) stride, T* b)
        where T : unmanaged, INumberBase<T>
    {
        var kernel = Gemm.BestKernel<T>();
        var key = new Key(typeof(T), offset, k, n, stride.Row, stride.Col, kernel);
        return Prepare(storage, key, (K: k, N: n, Stride: stride, B: (nint)b, Kernel: kernel),
            static s => PackedMatrixB<T>.Pack(s.K, s.N, new MatrixRef<T>((T*)s.B, s.Stride.Row, s.Stride.Col), s.Kernel), skipWhileTrained: true);
    }

    /// <summary>
    /// The prepared form of <paramref name="storage"/>'s contents that <paramref name="key"/> names: the cached one when the
    /// storage has not been written since it was made, else made now by <paramref name="create"/> and cached. Threads may
    /// call this on one storage at once: entries are immutable and published by compare-and-swap, so two threads racing to
    /// prepare the same weight both get a correct copy and one of them is kept.
    /// </summary>
    internal static TValue GetOrCreate<TValue, TState>(Storage storage, object key, TState state, Func<TState, TValue> create)
        where TValue : class =>
        Prepare(storage, key, state, create, skipWhileTrained: false)!;

    /// <summary><see cref="GetOrCreate"/>, or with <paramref name="skipWhileTrained"/> null while the weight is trained (see <see cref="Get{T}"/>).</summary>
    private static TValue? Prepare<TValue, TState>(Storage storage, object key, TState state, Func<TState, TValue> create, bool skipWhileTrained)
        where TValue : class
    {
        // Read before preparing: a write that lands meanwhile leaves this copy tagged with a version that is already
        // stale, so it is never used, rather than torn contents tagged as current.
        int version = Volatile.Read(ref storage.Version);
        Entry? previous = null;
        foreach (var e in Volatile.Read(ref storage.PackedWeights) ?? [])
        {
            if (!e.Key.Equals(key)) continue;
            if (e.Version == version && e.Packed is not null)
            {
                Interlocked.Increment(ref e.Reuses);
                return (TValue)e.Packed;
            }
            previous = e;
            break;
        }
        if (skipWhileTrained && previous is not null && previous.Version != version && (previous.Packed is null || Volatile.Read(ref previous.Reuses) == 0))
        {
            Publish(storage, new Entry(key, version, null));
            return null;
        }
        var value = create(state);
        Publish(storage, new Entry(key, version, value));
        return value;
    }

    private static void Publish(Storage storage, Entry entry)
    {
        while (true)
        {
            var old = Volatile.Read(ref storage.PackedWeights);
            var kept = new List<Entry>(MaxEntries) { entry };
            foreach (var e in old ?? [])
            {
                if (kept.Count < MaxEntries && !e.Key.Equals(entry.Key)) kept.Add(e);
            }
            if (Interlocked.CompareExchange(ref storage.PackedWeights, [.. kept], old) == old) return;
        }
    }
}
