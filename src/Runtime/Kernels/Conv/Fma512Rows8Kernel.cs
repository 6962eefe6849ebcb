using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// An AVX-512 micro-kernel for convolutions: an 8 × (2 vectors) tile of C (8×32 floats, 8×16 doubles) in 16 of the
/// 32 zmm registers, one broadcast of A and two loads of B feeding 16 FMAs per step of k. Eight rows divide the
/// output-channel counts convolutions have (16, 32, 64 ...) with no padding rows, where the GEMM's taller kernels
/// would compute padding; against the 6×16 AVX2 kernel it issues fewer instructions per FLOP (Zen 4 splits each
/// 512-bit FMA over its two 256-bit pipes, so the peak is the same and the front end has room to spare). Only for
/// float and double, and only where <see cref="Avx512F.IsSupported"/>.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct Fma512Rows8Kernel<T> : IMicroKernel<T>
    where T : unmanaged, INumberBase<T>
{
    private const int Rows = 8;

    public static int MR => Rows;
    public static int NR => 2 * Vector512<T>.Count;
    public static int MC => 144;
    public static int KC => 256;
    public static int NC => 3072;

    /// <summary>Whether this kernel runs here for <typeparamref name="T"/> and suits <paramref name="rows"/> rows of C better than the 6-row AVX2 kernel (it pads them to fewer rows, or to at most 10% more).</summary>
    internal static bool Suits(int rows) =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && (rows + 7) / 8 * 8 * 10 <= (rows + 5) / 6 * 6 * 11;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + w);
            FmaStep.Row(a[0], b0, b1, ref c00, ref c01);
            FmaStep.Row(a[1], b0, b1, ref c10, ref c11);
            FmaStep.Row(a[2], b0, b1, ref c20, ref c21);
            FmaStep.Row(a[3], b0, b1, ref c30, ref c31);
            FmaStep.Row(a[4], b0, b1, ref c40, ref c41);
            FmaStep.Row(a[5], b0, b1, ref c50, ref c51);
            FmaStep.Row(a[6], b0, b1, ref c60, ref c61);
            FmaStep.Row(a[7], b0, b1, ref c70, ref c71);
            a += Rows;
            b += 2 * w;
        }
        if (mr == Rows && nr == 2 * w && c.ColStride == 1)
        {
            T* row = c.Data;
            nint rs = c.RowStride;
            StoreRow(row, c00, c01, accumulate);
            StoreRow(row += rs, c10, c11, accumulate);
            StoreRow(row += rs, c20, c21, accumulate);
            StoreRow(row += rs, c30, c31, accumulate);
            StoreRow(row += rs, c40, c41, accumulate);
            StoreRow(row += rs, c50, c51, accumulate);
            StoreRow(row += rs, c60, c61, accumulate);
            StoreRow(row + rs, c70, c71, accumulate);
            return;
        }
        int ld = 2 * w;
        T* tile = stackalloc T[Rows * 2 * Vector512<T>.Count];
        c00.Store(tile); c01.Store(tile + w);
        c10.Store(tile + ld); c11.Store(tile + ld + w);
        c20.Store(tile + 2 * ld); c21.Store(tile + 2 * ld + w);
        c30.Store(tile + 3 * ld); c31.Store(tile + 3 * ld + w);
        c40.Store(tile + 4 * ld); c41.Store(tile + 4 * ld + w);
        c50.Store(tile + 5 * ld); c51.Store(tile + 5 * ld + w);
        c60.Store(tile + 6 * ld); c61.Store(tile + 6 * ld + w);
        c70.Store(tile + 7 * ld); c71.Store(tile + 7 * ld + w);
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
