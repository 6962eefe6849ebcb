using System.Numerics;
using System.Runtime.CompilerServices;

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
}
