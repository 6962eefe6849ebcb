using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// Products with fewer columns than a micro-kernel's sliver whose A rows and B columns both run along k: a batch
/// through a linear layer with few outputs (B = Wᵀ of a row-major W, as in a classifier's last layer, 10 outputs).
/// The blocked GEMM would pad each sliver to its full width (10 of 32 columns on AVX-512) and pack A for it; here each
/// element of C is a dot product read in place, four rows of A against three columns of B at a time: twelve vector
/// accumulators fed by seven loads per vector of k.
/// </summary>
internal static unsafe class NarrowGemm
{
    private const int BlockRows = 4, BlockColumns = 3;

    /// <summary>
    /// Whether the product takes this path: float or double where FMA runs, fewer columns than the widest
    /// micro-kernel's sliver, at least one vector of k, A's rows and B's columns contiguous.
    /// </summary>
    internal static bool Applies<T>(int n, int k, MatrixRef<T> a, MatrixRef<T> b) where T : unmanaged =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Fma.IsSupported
        && a.ColStride == 1 && b.RowStride == 1 && n < SliverWidth<T>() && k >= Vector256<T>.Count;

    private static int SliverWidth<T>() where T : unmanaged => (Avx512F.IsSupported ? 128 : 64) / sizeof(T);

    /// <summary>
    /// Multiply-adds from which the blocks of rows split between threads: an eighth of <see cref="Gemm.ParallelThreshold"/>,
    /// as dot products take ~3× longer per multiply-add than the blocked kernel, and a pool thread that does not wake in
    /// time costs only the wake-up call (the caller claims blocks too). A classifier's 64×10×512: 35 → 22 µs.
    /// </summary>
    private const long ParallelWork = Gemm.ParallelThreshold / 8;

    /// <summary>C = (accumulate ? C : 0) + A·B where <see cref="Applies{T}"/> holds; blocks of rows split between threads when large enough.</summary>
    internal static void Run<T>(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        int blocks = (m + BlockRows - 1) / BlockRows;
        if (parallel && Threading.NumThreads > 1 && (long)m * n * k >= ParallelWork && blocks > 1)
            CpuParallel.For(blocks, 1, (b0, b1) => Rows((int)b0 * BlockRows, Math.Min((int)b1 * BlockRows, m), n, k, a, b, c, accumulate));
        else
            Rows(0, m, n, k, a, b, c, accumulate);
    }

    /// <summary>Rows [r0, r1) of C: whole 4×3 blocks, then the last columns and rows a dot product each.</summary>
    private static void Rows<T>(int r0, int r1, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        int i = r0;
        for (; i + BlockRows <= r1; i += BlockRows)
        {
            int j = 0;
            for (; j + BlockColumns <= n; j += BlockColumns)
                Block(k, a.Offset(i, 0), b.Offset(0, j), c.Offset(i, j), accumulate);
            Singles(i, i + BlockRows, j, n, k, a, b, c, accumulate);
        }
        Singles(i, r1, 0, n, k, a, b, c, accumulate);
    }

    /// <summary>
    /// C[i, j] for rows [i0, i1) and columns [j0, j1), one dot product each, summed as a block sums them (not by
    /// <c>TensorPrimitives.Dot</c>, whose order follows the widest vector the process accelerates: a NativeAOT binary
    /// and the JIT would differ in the last bits).
    /// </summary>
    private static void Singles<T>(int i0, int i1, int j0, int j1, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector256<T>.Count;
        for (int i = i0; i < i1; i++)
        {
            T* x = a.At(i, 0);
            for (int j = j0; j < j1; j++)
            {
                T* y = b.At(0, j);
                Vector256<T> sum = default;
                int p = 0;
                for (; p <= k - w; p += w)
                    sum = FmaStep.MultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), sum);
                Finish(sum, x, y, p, k, c.At(i, j), accumulate);
            }
        }
    }

    /// <summary>Four rows of A against three columns of B over all of k: twelve dot products at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<T>(int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        T* a0 = a.Data, a1 = a0 + a.RowStride, a2 = a1 + a.RowStride, a3 = a2 + a.RowStride;
        T* b0 = b.Data, b1 = b0 + b.ColStride, b2 = b1 + b.ColStride;
        Vector256<T> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector256<T> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        int w = Vector256<T>.Count, p = 0;
        for (; p <= k - w; p += w)
        {
            Vector256<T> y0 = Vector256.Load(b0 + p), y1 = Vector256.Load(b1 + p), y2 = Vector256.Load(b2 + p);
            Vector256<T> x = Vector256.Load(a0 + p);
            s00 = FmaStep.MultiplyAdd(x, y0, s00); s01 = FmaStep.MultiplyAdd(x, y1, s01); s02 = FmaStep.MultiplyAdd(x, y2, s02);
            x = Vector256.Load(a1 + p);
            s10 = FmaStep.MultiplyAdd(x, y0, s10); s11 = FmaStep.MultiplyAdd(x, y1, s11); s12 = FmaStep.MultiplyAdd(x, y2, s12);
            x = Vector256.Load(a2 + p);
            s20 = FmaStep.MultiplyAdd(x, y0, s20); s21 = FmaStep.MultiplyAdd(x, y1, s21); s22 = FmaStep.MultiplyAdd(x, y2, s22);
            x = Vector256.Load(a3 + p);
            s30 = FmaStep.MultiplyAdd(x, y0, s30); s31 = FmaStep.MultiplyAdd(x, y1, s31); s32 = FmaStep.MultiplyAdd(x, y2, s32);
        }
        Finish(s00, a0, b0, p, k, c.At(0, 0), accumulate); Finish(s01, a0, b1, p, k, c.At(0, 1), accumulate); Finish(s02, a0, b2, p, k, c.At(0, 2), accumulate);
        Finish(s10, a1, b0, p, k, c.At(1, 0), accumulate); Finish(s11, a1, b1, p, k, c.At(1, 1), accumulate); Finish(s12, a1, b2, p, k, c.At(1, 2), accumulate);
        Finish(s20, a2, b0, p, k, c.At(2, 0), accumulate); Finish(s21, a2, b1, p, k, c.At(2, 1), accumulate); Finish(s22, a2, b2, p, k, c.At(2, 2), accumulate);
        Finish(s30, a3, b0, p, k, c.At(3, 0), accumulate); Finish(s31, a3, b1, p, k, c.At(3, 1), accumulate); Finish(s32, a3, b2, p, k, c.At(3, 2), accumulate);
    }

    /// <summary>One dot product: the vector's lanes, plus the elements [p, k) past the last whole vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<T>(Vector256<T> sum, T* x, T* y, int p, int k, T* dst, bool accumulate) where T : unmanaged, INumberBase<T>
    {
        T total = Vector256.Sum(sum);
        for (; p < k; p++)
            total += x[p] * y[p];
        Put(dst, total, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<T>(T* dst, T value, bool accumulate) where T : unmanaged, INumberBase<T> =>
        *dst = accumulate ? *dst + value : value;
}
