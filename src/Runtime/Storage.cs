namespace Kiln;

/// <summary>
/// The memory behind one or more tensors (views share it). CPU storage is a managed byte array, so
/// the garbage collector frees it and no tensor needs <c>Dispose</c>.
/// </summary>
internal sealed class Storage
{
    internal readonly byte[] Bytes;

    private Storage(byte[] bytes) => Bytes = bytes;

    /// <summary>Allocates storage for <paramref name="count"/> elements of <paramref name="dtype"/>; contents are unspecified.</summary>
    internal static Storage Allocate(DType dtype, long count) =>
        new(GC.AllocateUninitializedArray<byte>(checked((int)ByteCount(dtype, count))));

    /// <summary>Allocates zero-filled storage.</summary>
    internal static Storage AllocateZeroed(DType dtype, long count) => new(new byte[checked((int)ByteCount(dtype, count))]);

    private static long ByteCount(DType dtype, long count)
    {
        long bytes = checked(count * dtype.ElementSize());
        if (bytes > Array.MaxLength)
            throw new OutOfMemoryException($"a CPU tensor of {count} {dtype.Name()} elements ({bytes} bytes) exceeds the {Array.MaxLength}-byte limit of one storage");
        return bytes;
    }
}
