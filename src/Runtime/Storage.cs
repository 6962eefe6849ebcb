using Kiln.Memory;

namespace Kiln;

/// <summary>
/// The memory behind one or more tensors (views share it). CPU storage is a managed byte array, so
/// the garbage collector frees it and no tensor needs <c>Dispose</c>; large arrays come from, and go back to,
/// <see cref="CpuBufferPool.Shared"/> — when they die, or earlier through <see cref="ReturnBuffer"/>.
/// </summary>
internal sealed class Storage
{
    internal readonly byte[] Bytes;

    /// <summary>
    /// Counts in-place writes to this storage (PyTorch's version counter), so autograd can tell that a
    /// tensor it saved for backward has since been overwritten.
    /// </summary>
    internal int Version;

    /// <summary>
    /// Packed copies of weight matrices held in this storage, each tagged with the <see cref="Version"/> it was packed
    /// at (see <see cref="Kernels.Gemm.PackedWeightCache"/>): they live and die with the storage. Null until one is packed.
    /// </summary>
    internal Kernels.Gemm.PackedWeightCache.Entry[]? PackedWeights;

    // The pool's tracker of Bytes while this storage may still return it (null for a plain array, or once returned).
    private PooledBuffer? pooled;
    private readonly int lease;

    private Storage(byte[] bytes, PooledBuffer? pooled, int lease)
    {
        Bytes = bytes;
        this.pooled = pooled;
        this.lease = lease;
    }

    /// <summary>Whether <see cref="ReturnBuffer"/> may still hand the buffer back (it is a pooled buffer not yet returned).</summary>
    internal bool IsReturnable => Volatile.Read(ref pooled) is not null;

    /// <summary>Allocates storage for <paramref name="count"/> elements of <paramref name="dtype"/>; contents are unspecified.</summary>
    internal static Storage Allocate(DType dtype, long count) => Rent(dtype, count, zeroed: false);

    /// <summary>Allocates zero-filled storage.</summary>
    internal static Storage AllocateZeroed(DType dtype, long count) => Rent(dtype, count, zeroed: true);

    /// <summary>
    /// Hands the buffer back to its pool now, for the next storage of its size. Only for an owner that knows nothing will
    /// read or write this storage again — no tensor, view, autograd record or kernel — since the next owner overwrites it.
    /// At most once per storage; false when the buffer is not pooled, was returned already, or the pool is full.
    /// </summary>
    internal bool ReturnBuffer() => Interlocked.Exchange(ref pooled, null) is { } tracker && tracker.Pool.Return(tracker, lease);

    private static Storage Rent(DType dtype, long count, bool zeroed)
    {
        var (bytes, tracker, lease) = CpuBufferPool.Shared.RentTracked((int)ByteCount(dtype, count), zeroed);
        return new(bytes, tracker, lease);
    }

    private static long ByteCount(DType dtype, long count)
    {
        long bytes = checked(count * dtype.ElementSize());
        if (bytes > Array.MaxLength)
            throw new OutOfMemoryException($"a CPU tensor of {count} {dtype.Name()} elements ({bytes} bytes) exceeds the {Array.MaxLength}-byte limit of one storage");
        return bytes;
    }
}
