using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// The AVX-512 micro-kernel: a 12 × (2 vectors) tile of C held in 24 of the 32 zmm registers, one
/// broadcast of A and two loads of B feeding 24 FMAs per step of k (12×32 floats, 12×16 doubles).
/// Against the 6×16 AVX2 kernel it issues half the instructions per FLOP and loads B half as often;
/// on Zen 4, which splits 512-bit FMAs in two, that frees the front end. Edge tiles of up to 4 or 8 rows
/// run a 4- or 8-row variant. Only for float and double, and only where <see cref="Avx512F.IsSupported"/>.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct Fma512Kernel<T> : IMicroKernel<T>
    where T : unmanaged, INumberBase<T>
{
    private const int Rows = 12;

    public static int MR => Rows;
    public static int NR => 2 * Vector512<T>.Count;

    // For floats: a 144×384 block of A (216 KB) stays in L2 (1 MB on Zen 4 and Skylake-SP), a 384×3072 panel
    // of B (4.5 MB) in L3, and the 384×32 sliver of B (48 KB) streams from L2 behind the 24 FMAs of each
    // step. A deeper KC than the AVX2 kernel's means fewer passes over C, whose rows are prefetched.
    // Doubles take twice the bytes at the same counts, which still fits.
    public static int MC => TuneMc;
    public static int KC => TuneKc;
    internal static int TuneKc = 384, TuneMc = 144, TuneNc = 3072;
    public static int NC => TuneNc;

    public static void Run(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate) =>
        Run(kc, a, b, NR, c, mr, nr, accumulate);

    /// <summary>
    /// The tile with B's sliver read <paramref name="ldb"/> elements apart per step of k rather than packed (<see cref="NR"/>
    /// apart): a row-major B is then used in place, its NR columns of each row being adjacent already.
    /// </summary>
    internal static void Run(int kc, T* a, T* b, nint ldb, MatrixRef<T> c, int mr, int nr, bool accumulate)
    {
        if (mr > 8)
            Run<TwelveRows>(kc, a, b, ldb, c, mr, nr, accumulate);
        else if (mr > 4)
            Run<EightRows>(kc, a, b, ldb, c, mr, nr, accumulate);
        else
            Run<FourRows>(kc, a, b, ldb, c, mr, nr, accumulate);
    }

    /// <summary>The first <typeparamref name="TRows"/> rows of the tile (A's sliver is still packed <see cref="MR"/> wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TRows>(int kc, T* a, T* b, nint ldb, MatrixRef<T> c, int mr, int nr, bool accumulate)
        where TRows : struct, ITileRows
    {
        int w = Vector512<T>.Count, rows = TRows.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        // Two legs: C's rows are prefetched a few steps of k before the end, so that they arrive in
        // time for the store but are not evicted by the A and B streams first.
        int p = 0, stop = Math.Max(0, kc - TileStore.PrefetchSteps);
        for (int leg = 0; leg < 2; leg++, stop = kc)
        {
            if (leg == 1) TileStore.Prefetch(c, mr, nr);
            for (; p < stop; p++)
            {
                Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + w);
                FmaStep.Row(a[0], b0, b1, ref c00, ref c01);
                FmaStep.Row(a[1], b0, b1, ref c10, ref c11);
                FmaStep.Row(a[2], b0, b1, ref c20, ref c21);
                FmaStep.Row(a[3], b0, b1, ref c30, ref c31);
                if (rows > 4)
                {
                    FmaStep.Row(a[4], b0, b1, ref c40, ref c41);
                    FmaStep.Row(a[5], b0, b1, ref c50, ref c51);
                    FmaStep.Row(a[6], b0, b1, ref c60, ref c61);
                    FmaStep.Row(a[7], b0, b1, ref c70, ref c71);
                }
                if (rows > 8)
                {
                    FmaStep.Row(a[8], b0, b1, ref c80, ref c81);
                    FmaStep.Row(a[9], b0, b1, ref c90, ref c91);
                    FmaStep.Row(a[10], b0, b1, ref ca0, ref ca1);
                    FmaStep.Row(a[11], b0, b1, ref cb0, ref cb1);
                }
                a += Rows;
                b += ldb;
            }
        }
        if (mr == rows && nr == 2 * w && c.ColStride == 1)
        {
            T* row = c.Data;
            nint rs = c.RowStride;
            StoreRow(row, c00, c01, accumulate);
            StoreRow(row += rs, c10, c11, accumulate);
            StoreRow(row += rs, c20, c21, accumulate);
            StoreRow(row += rs, c30, c31, accumulate);
            if (rows > 4)
            {
                StoreRow(row += rs, c40, c41, accumulate);
                StoreRow(row += rs, c50, c51, accumulate);
                StoreRow(row += rs, c60, c61, accumulate);
                StoreRow(row += rs, c70, c71, accumulate);
            }
            if (rows > 8)
            {
                StoreRow(row += rs, c80, c81, accumulate);
                StoreRow(row += rs, c90, c91, accumulate);
                StoreRow(row += rs, ca0, ca1, accumulate);
                StoreRow(row + rs, cb0, cb1, accumulate);
            }
            return;
        }
        int ld = 2 * w;
        T* tile = stackalloc T[Rows * 2 * Vector512<T>.Count];
        c00.Store(tile); c01.Store(tile + w);
        c10.Store(tile + ld); c11.Store(tile + ld + w);
        c20.Store(tile + 2 * ld); c21.Store(tile + 2 * ld + w);
        c30.Store(tile + 3 * ld); c31.Store(tile + 3 * ld + w);
        if (rows > 4)
        {
            c40.Store(tile + 4 * ld); c41.Store(tile + 4 * ld + w);
            c50.Store(tile + 5 * ld); c51.Store(tile + 5 * ld + w);
            c60.Store(tile + 6 * ld); c61.Store(tile + 6 * ld + w);
            c70.Store(tile + 7 * ld); c71.Store(tile + 7 * ld + w);
        }
        if (rows > 8)
        {
            c80.Store(tile + 8 * ld); c81.Store(tile + 8 * ld + w);
            c90.Store(tile + 9 * ld); c91.Store(tile + 9 * ld + w);
            ca0.Store(tile + 10 * ld); ca1.Store(tile + 10 * ld + w);
            cb0.Store(tile + 11 * ld); cb1.Store(tile + 11 * ld + w);
        }
        TileStore.Write(tile, ld, c, mr, nr, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* row, Vector512<T> lo, Vector512<T> hi, bool accumulate)
    {
        int w = Vector512<T>.Count;
        if (accumulate)
        {
            lo += Vector512.Load(row);
            hi += Vector512.Load(row + w);
        }
        lo.Store(row);
        hi.Store(row + w);
    }
}
