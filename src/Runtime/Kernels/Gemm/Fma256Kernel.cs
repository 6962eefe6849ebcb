using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// The AVX2/FMA micro-kernel: a 6 × (2 vectors) tile of C held in 12 of the 16 ymm registers, one
/// broadcast of A and two loads of B feeding 12 FMAs per step of k (BLIS's Haswell kernel shape:
/// 6×16 floats, 6×8 doubles). Only for float and double, and only where <see cref="Fma.IsSupported"/>.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct Fma256Kernel<T> : IMicroKernel<T>
    where T : unmanaged, INumberBase<T>
{
    public static int MR => 6;
    public static int NR => 2 * Vector256<T>.Count;

    // For floats: a 144×256 block of A (144 KB) stays in L2 (512 KB on Zen 1, 1 MB on Zen 4), a 256×16
    // sliver of B (16 KB) in half of L1, a 256×3072 panel of B (3 MB) in L3. Doubles take twice the bytes
    // at the same counts, which still fits.
    public static int MC => 144;
    public static int KC => 256;
    public static int NC => 3072;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate)
    {
        const int Mr = 6;
        int w = Vector256<T>.Count;
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
                Vector256<T> x = Vector256.Create(a[0]);
                c00 = MultiplyAdd(x, b0, c00);
                c01 = MultiplyAdd(x, b1, c01);
                x = Vector256.Create(a[1]);
                c10 = MultiplyAdd(x, b0, c10);
                c11 = MultiplyAdd(x, b1, c11);
                x = Vector256.Create(a[2]);
                c20 = MultiplyAdd(x, b0, c20);
                c21 = MultiplyAdd(x, b1, c21);
                x = Vector256.Create(a[3]);
                c30 = MultiplyAdd(x, b0, c30);
                c31 = MultiplyAdd(x, b1, c31);
                x = Vector256.Create(a[4]);
                c40 = MultiplyAdd(x, b0, c40);
                c41 = MultiplyAdd(x, b1, c41);
                x = Vector256.Create(a[5]);
                c50 = MultiplyAdd(x, b0, c50);
                c51 = MultiplyAdd(x, b1, c51);
                a += Mr;
                b += 2 * w;
            }
        }
        if (mr == Mr && nr == 2 * w && c.ColStride == 1)
        {
            T* row = c.Data;
            nint rs = c.RowStride;
            StoreRow(row, c00, c01, accumulate);
            StoreRow(row += rs, c10, c11, accumulate);
            StoreRow(row += rs, c20, c21, accumulate);
            StoreRow(row += rs, c30, c31, accumulate);
            StoreRow(row += rs, c40, c41, accumulate);
            StoreRow(row + rs, c50, c51, accumulate);
            return;
        }
        T* tile = stackalloc T[Mr * 2 * Vector256<T>.Count];
        int ld = 2 * w;
        c00.Store(tile); c01.Store(tile + w);
        c10.Store(tile + ld); c11.Store(tile + ld + w);
        c20.Store(tile + 2 * ld); c21.Store(tile + 2 * ld + w);
        c30.Store(tile + 3 * ld); c31.Store(tile + 3 * ld + w);
        c40.Store(tile + 4 * ld); c41.Store(tile + 4 * ld + w);
        c50.Store(tile + 5 * ld); c51.Store(tile + 5 * ld + w);
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

    /// <summary>a·b + c with one rounding (the type test folds away in each instantiation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float)
            ? Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
}
