using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// Copies blocks of A and B into the sliver layouts the micro-kernels stream through: A as
/// MR-row slivers stored column by column, B as NR-column slivers stored row by row, both zero-padded.
/// Any strides are accepted, so transposed and strided operands are packed instead of copied first.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows [0, mc) × columns [0, kc) of <paramref name="a"/> into slivers of <paramref name="mr"/> rows.</summary>
    internal static void PackA<T>(MatrixRef<T> a, int mc, int kc, int mr, T* dst) where T : unmanaged
    {
        for (int i = 0; i < mc; i += mr, dst += (nint)mr * kc)
            PackSliver(a.Offset(i, 0), Math.Min(mr, mc - i), kc, mr, dst);
    }

    /// <summary>Packs rows [0, kc) × columns [0, nc) of <paramref name="b"/> into slivers of <paramref name="nr"/> columns.</summary>
    internal static void PackB<T>(MatrixRef<T> b, int kc, int nc, int nr, T* dst) where T : unmanaged
    {
        for (int j = 0; j < nc; j += nr, dst += (nint)nr * kc)
            PackSliver(b.Offset(0, j).Transposed, Math.Min(nr, nc - j), kc, nr, dst);
    }

    /// <summary>
    /// dst[p·width + i] = src[i, p] for i &lt; rows, p &lt; kc; zero for rows ≤ i &lt; width. The loop order
    /// follows whichever of src's strides is 1, so the reads stay sequential.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackSliver<T>(MatrixRef<T> src, int rows, int kc, int width, T* dst) where T : unmanaged
    {
        nint rs = src.RowStride, cs = src.ColStride;
        if (rs == 1 || cs != 1)
        {
            for (int p = 0; p < kc; p++)
            {
                T* s = src.Data + p * cs;
                T* d = dst + (nint)p * width;
                if (rs == 1)
                {
                    CopyRun(s, d, rows);
                }
                else
                {
                    for (int i = 0; i < rows; i++)
                        d[i] = s[i * rs];
                }
                for (int i = rows; i < width; i++)
                    d[i] = default;
            }
            return;
        }
        TransposeRows(src.Data, rs, rows, kc, width, dst);
        for (int p = 0; p < kc && rows < width; p++)
        {
            for (int i = rows; i < width; i++)
                dst[(nint)p * width + i] = default;
        }
    }

    /// <summary>
    /// dst[p·width + i] = src[i·rs + p] for i &lt; rows, p &lt; cols (a row-major matrix transposed into rows
    /// <paramref name="width"/> elements apart): 4-byte elements in register transposes, the rest one by one.
    /// </summary>
    internal static void TransposeRows<T>(T* src, nint rs, int rows, int cols, nint width, T* dst) where T : unmanaged
    {
        int done = sizeof(T) == sizeof(float) && Sse.IsSupported ? TransposeFloatRows((float*)src, rs, rows, cols, width, (float*)dst) : 0;
        for (int i = done; i < rows; i++)
        {
            T* s = src + i * rs;
            T* d = dst + i;
            for (int p = 0; p < cols; p++)
                d[p * width] = s[p];
        }
    }

    /// <summary>
    /// The rows of a row-major sliver in 4×4 and 2×4 register transposes (4-byte elements moved as
    /// float bit patterns, so ints pass unchanged): dst[p·width + i] = src[i·rs + p] for the first rows,
    /// all but an odd last one. Returns how many rows it wrote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TransposeFloatRows(float* src, nint rs, int rows, int kc, nint width, float* dst)
    {
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            float* s0 = src + i * rs, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
            float* d = dst + i;
            int p = 0;
            for (; p + 4 <= kc; p += 4, d += 4 * (nint)width)
            {
                Vector128<float> r0 = Sse.LoadVector128(s0 + p), r1 = Sse.LoadVector128(s1 + p);
                Vector128<float> r2 = Sse.LoadVector128(s2 + p), r3 = Sse.LoadVector128(s3 + p);
                Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
                Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
                Sse.Store(d, Sse.MoveLowToHigh(t0, t1));
                Sse.Store(d + width, Sse.MoveHighToLow(t1, t0));
                Sse.Store(d + 2 * width, Sse.MoveLowToHigh(t2, t3));
                Sse.Store(d + 3 * width, Sse.MoveHighToLow(t3, t2));
            }
            for (; p < kc; p++, d += width)
            {
                d[0] = s0[p];
                d[1] = s1[p];
                d[2] = s2[p];
                d[3] = s3[p];
            }
        }
        if (i + 2 <= rows)
        {
            float* s0 = src + i * rs, s1 = s0 + rs;
            float* d = dst + i;
            int p = 0;
            for (; p + 4 <= kc; p += 4, d += 4 * (nint)width)
            {
                Vector128<float> r0 = Sse.LoadVector128(s0 + p), r1 = Sse.LoadVector128(s1 + p);
                Vector128<float> lo = Sse.UnpackLow(r0, r1), hi = Sse.UnpackHigh(r0, r1);
                Sse.StoreLow(d, lo);
                Sse.StoreHigh(d + width, lo);
                Sse.StoreLow(d + 2 * width, hi);
                Sse.StoreHigh(d + 3 * width, hi);
            }
            for (; p < kc; p++, d += width)
            {
                d[0] = s0[p];
                d[1] = s1[p];
            }
            i += 2;
        }
        return i;
    }

    /// <summary>Copies <paramref name="n"/> contiguous elements (vector-wide when the element type allows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun<T>(T* s, T* d, int n) where T : unmanaged
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                Vector256.Store(Vector256.Load(s + i), d + i);
        }
        for (; i < n; i++)
            d[i] = s[i];
    }
}
