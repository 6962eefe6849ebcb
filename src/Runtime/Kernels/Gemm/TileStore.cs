using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>A micro-kernel's result tile and C: prefetching C's rows, setting them to a bias, and writing the tile element by element (edge tiles, C with a non-unit column stride).</summary>
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

    /// <summary>C[i, j] = row[j] for i &lt; m, j &lt; n: C's rows set to one vector (a bias) before products accumulate onto them.</summary>
    internal static void FillRows<T>(T* row, MatrixRef<T> c, int m, int n) where T : unmanaged
    {
        var source = new ReadOnlySpan<T>(row, n);
        if (c.ColStride == 1 && n * sizeof(T) == 128 && Vector256.IsHardwareAccelerated)
        {
            // A whole tile's row (32 floats, 16 doubles): four registers loaded once and stored to every row, where a
            // copy call per row costs more than the copy (a 512-row linear layer makes thousands of them).
            var (r0, r1, r2, r3) = (Vector256.Load((byte*)row), Vector256.Load((byte*)row + 32), Vector256.Load((byte*)row + 64), Vector256.Load((byte*)row + 96));
            for (int i = 0; i < m; i++)
            {
                byte* dst = (byte*)c.At(i, 0);
                r0.Store(dst);
                r1.Store(dst + 32);
                r2.Store(dst + 64);
                r3.Store(dst + 96);
            }
            return;
        }
        for (int i = 0; i < m; i++)
        {
            if (c.ColStride == 1)
            {
                source.CopyTo(new Span<T>(c.At(i, 0), n));
                continue;
            }
            T* dst = c.At(i, 0);
            for (int j = 0; j < n; j++)
                dst[j * c.ColStride] = row[j];
        }
    }

    /// <summary>
    /// Steps of k before the end of a micro-kernel's loop at which it prefetches its C tile: a few hundred
    /// cycles of FMAs, enough to hide a fetch from L3.
    /// </summary>
    internal const int PrefetchSteps = 16;

    /// <summary>Asks the cache for the rows of the tile C[0..mr, 0..nr]: the first, middle and last element of each row, as a row of up to 128 bytes spans at most three cache lines.</summary>
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
