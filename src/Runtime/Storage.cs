using Kiln.Memory;

namespace Kiln;

/// <summary>
/// The memory behind one or more tensors (views share it). CPU storage is a managed byte array, so
/// the garbage collector frees it and no tensor needs <c>Dispose</c>; large arrays come from, and go back to,
/// <see cref="CpuBufferPool.Shared"/>.
/// </summary>
internal sealed class Storage
{
    internal readonly byte[] Bytes;

    /// <summary>
    /// Counts in-place writes to this storage (PyTorch's version counter), so autograd can tell that a
    /// tensor it saved for backward has since been overwritten.
    /// </summary>
    internal int Version;

    private Storage(byte[] bytes) => Bytes = bytes;

    /// <summary>Allocates storage for <paramref name="count"/> elements of <paramref name="dtype"/>; contents are unspecified.</summary>
    internal static Storage Allocate(DType dtype, long count) => new(CpuBufferPool.Shared.Rent((int)ByteCount(dtype, count), zeroed: false));

    /// <summary>Allocates zero-filled storage.</summary>
    internal static Storage AllocateZeroed(DType dtype, long count) => new(CpuBufferPool.Shared.Rent((int)ByteCount(dtype, count), zeroed: true));

    private static long ByteCount(DType dtype, long count)
    {
        long bytes = checked(count * dtype.ElementSize());
        if (bytes > Array.MaxLength)
            throw new OutOfMemoryException($"a CPU tensor of {count} {dtype.Name()} elements ({bytes} bytes) exceeds the {Array.MaxLength}-byte limit of one storage");
        return bytes;
    }
}
