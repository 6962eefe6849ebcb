using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Indexing;

/// <summary>Copies a run of elements between two strided places (a block copy when both are dense).</summary>
internal static class StridedCopy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy<T>(ref T dst, long dstStride, ref T src, long srcStride, long n) where T : unmanaged
    {
        if (dstStride == 1 && srcStride == 1)
        {
            MemoryMarshal.CreateReadOnlySpan(ref src, (int)n).CopyTo(MemoryMarshal.CreateSpan(ref dst, (int)n));
            return;
        }
        for (long i = 0; i < n; i++)
            Unsafe.Add(ref dst, (nint)(i * dstStride)) = Unsafe.Add(ref src, (nint)(i * srcStride));
    }
}
