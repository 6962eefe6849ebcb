using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// A portable 4×4 micro-kernel in plain arithmetic of <typeparamref name="T"/>: the fallback for floats
/// when FMA is missing, and the kernel for the integer dtypes (whose products wrap like PyTorch's).
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct ScalarKernel<T> : IMicroKernel<T>
    where T : unmanaged, INumberBase<T>
{
    private const int Size = 4;

    public static int MR => Size;
    public static int NR => Size;
    public static int MC => 64;
    public static int KC => 256;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate)
    {
        T* tile = stackalloc T[Size * Size];
        for (int i = 0; i < Size * Size; i++)
            tile[i] = T.Zero;
        for (int p = 0; p < kc; p++, a += Size, b += Size)
        {
            for (int i = 0; i < Size; i++)
            {
                T x = a[i];
                T* row = tile + i * Size;
                row[0] += x * b[0];
                row[1] += x * b[1];
                row[2] += x * b[2];
                row[3] += x * b[3];
            }
        }
        TileStore.Write(tile, Size, c, mr, nr, accumulate);
    }
}
