namespace Kiln.Kernels.Conv;

/// <summary>
/// Per-thread scratch for one im2col-shaped matrix (conv_transpose2d's columns before col2im), pinned and kept
/// between calls so steady-state calls allocate nothing. Separate from the GEMM's pack buffer, which the GEMM
/// that fills this matrix uses at the same time.
/// </summary>
internal static unsafe class ColumnBuffer
{
    [ThreadStatic]
    private static byte[]? buffer;

    /// <summary>Scratch for <paramref name="count"/> elements, valid until this thread's next call.</summary>
    internal static T* Get<T>(long count) where T : unmanaged
    {
        long bytes = checked(count * sizeof(T));
        if (buffer is null || buffer.Length < bytes)
            buffer = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        fixed (byte* start = buffer)
        {
            // The array lives on the pinned object heap, so its address outlives this fixed block.
            return (T*)start;
        }
    }
}
