namespace Kiln.Kernels.Gemm;

/// <summary>
/// Per-thread scratch memory for packed panels (and an LSTM call's transposed sequence): pinned (so raw pointers into
/// it stay valid), 64-byte aligned for the vector loads, and kept between calls so steady-state kernels allocate
/// nothing, and fault in no fresh pages.
/// </summary>
internal static unsafe class PackBuffer
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static byte[]? buffer;

    /// <summary>
    /// Scratch for <paramref name="countA"/> then <paramref name="countB"/> elements, each region 64-byte
    /// aligned. Valid until this thread's next call.
    /// </summary>
    internal static void Get<T>(long countA, long countB, out T* a, out T* b) where T : unmanaged
    {
        long bytesA = RoundUp(countA * sizeof(T)), bytesB = RoundUp(countB * sizeof(T));
        long needed = bytesA + bytesB + Alignment;
        if (buffer is null || buffer.Length < needed)
            buffer = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
        fixed (byte* start = buffer)
        {
            // The array lives on the pinned object heap, so its address outlives this fixed block.
            byte* aligned = (byte*)RoundUp((long)start);
            a = (T*)aligned;
            b = (T*)(aligned + bytesA);
        }
    }

    private static long RoundUp(long value) => (value + Alignment - 1) & ~(long)(Alignment - 1);
}
