using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>Writes a micro-kernel's result tile into C element by element: for edge tiles and C with a non-unit column stride.</summary>
internal static unsafe class TileStore
{
    /// <summary>C[i, j] = (accumulate ? C[i, j] : 0) + tile[i·ld + j] for i &lt; mr, j &lt; nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Write<T>(T* tile, int ld, MatrixRef<T> c, int mr, int nr, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        for (int i = 0; i < mr; i++)
        {
            T* src = tile + (nint)i * ld;
            T* dst = c.At(i, 0);
            nint cs = c.ColStride;
            for (int j = 0; j < nr; j++)
                dst[j * cs] = accumulate ? dst[j * cs] + src[j] : src[j];
        }
    }

    /// <summary>Asks the cache for the rows of the tile C[0..mr, 0..nr] (the first and last element of each row: a row of up to 64 bytes per vector width spans at most two or three lines).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Prefetch<T>(MatrixRef<T> c, int mr, int nr) where T : unmanaged
    {
        if (!Sse.IsSupported) return;
        nint last = (nr - 1) * c.ColStride;
        for (int i = 0; i < mr; i++)
        {
            T* row = c.At(i, 0);
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + last / 2);
            Sse.Prefetch0(row + last);
        }
    }
}
