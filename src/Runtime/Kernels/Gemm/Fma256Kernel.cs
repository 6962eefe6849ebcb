using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// The AVX2/FMA micro-kernel: a 6 × (2 vectors) tile of C held in 12 of the 16 ymm registers, one
/// broadcast of A and two loads of B feeding 12 FMAs per step of k (BLIS's Haswell kernel shape:
/// 6×16 floats, 6×8 doubles); edge tiles of up to 2 or 4 rows run a 2- or 4-row variant. Only for float
/// and double, and only where <see cref="Fma.IsSupported"/>.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct Fma256Kernel<T> : IMicroKernel<T>
    where T : unmanaged, INumberBase<T>
{
    private const int Rows = 6;

    public static int MR => Rows;
    public static int NR => 2 * Vector256<T>.Count;

    // For floats: a 144×256 block of A (144 KB) stays in L2 (512 KB on Zen 1, 1 MB on Zen 4), a 256×16
    // sliver of B (16 KB) in half of L1, a 256×3072 panel of B (3 MB) in L3. Doubles take twice the bytes
    // at the same counts, which still fits.
    public static int MC => 144;
    public static int KC => 256;
    public static int NC => 3072;

    public static void Run(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate)
    {
        if (mr > 4)
            Run<SixRows>(kc, a, b, c, mr, nr, accumulate);
        else if (mr > 2)
            Run<FourRows>(kc, a, b, c, mr, nr, accumulate);
        else
            Run<TwoRows>(kc, a, b, c, mr, nr, accumulate);
    }

    /// <summary>The first <typeparamref name="TRows"/> rows of the tile (A's sliver is still packed <see cref="MR"/> wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TRows>(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate)
        where TRows : struct, ITileRows
    {
        int w = Vector256<T>.Count, rows = TRows.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Two legs, as in Fma512Kernel: C's rows are prefetched a few steps of k before the end.
        int p = 0, stop = Math.Max(0, kc - TileStore.PrefetchSteps);
        for (int leg = 0; leg < 2; leg++, stop = kc)
        {
            if (leg == 1) TileStore.Prefetch(c, mr, nr);
            for (; p < stop; p++)
            {
                Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + w);
                FmaStep.Row(a[0], b0, b1, ref c00, ref c01);
                FmaStep.Row(a[1], b0, b1, ref c10, ref c11);
                if (rows > 2)
                {
                    FmaStep.Row(a[2], b0, b1, ref c20, ref c21);
                    FmaStep.Row(a[3], b0, b1, ref c30, ref c31);
                }
                if (rows > 4)
                {
                    FmaStep.Row(a[4], b0, b1, ref c40, ref c41);
                    FmaStep.Row(a[5], b0, b1, ref c50, ref c51);
                }
                a += Rows;
                b += 2 * w;
            }
        }
        if (mr == rows && nr == 2 * w && c.ColStride == 1)
        {
            T* row = c.Data;
            nint rs = c.RowStride;
            StoreRow(row, c00, c01, accumulate);
            StoreRow(row += rs, c10, c11, accumulate);
            if (rows > 2)
            {
                StoreRow(row += rs, c20, c21, accumulate);
                StoreRow(row += rs, c30, c31, accumulate);
            }
            if (rows > 4)
            {
                StoreRow(row += rs, c40, c41, accumulate);
                StoreRow(row + rs, c50, c51, accumulate);
            }
            return;
        }
        int ld = 2 * w;
        T* tile = stackalloc T[Rows * 2 * Vector256<T>.Count];
        c00.Store(tile); c01.Store(tile + w);
        c10.Store(tile + ld); c11.Store(tile + ld + w);
        if (rows > 2)
        {
            c20.Store(tile + 2 * ld); c21.Store(tile + 2 * ld + w);
            c30.Store(tile + 3 * ld); c31.Store(tile + 3 * ld + w);
        }
        if (rows > 4)
        {
            c40.Store(tile + 4 * ld); c41.Store(tile + 4 * ld + w);
            c50.Store(tile + 5 * ld); c51.Store(tile + 5 * ld + w);
        }
        TileStore.Write(tile, ld, c, mr, nr, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* row, Vector256<T> lo, Vector256<T> hi, bool accumulate)
    {
        int w = Vector256<T>.Count;
        if (accumulate)
        {
            lo += Vector256.Load(row);
            hi += Vector256.Load(row + w);
        }
        lo.Store(row);
        hi.Store(row + w);
    }
}
