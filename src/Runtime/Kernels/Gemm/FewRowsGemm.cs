using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// Products with few rows against a row-major B (a small batch times a weight stored [in, out], as a recurrence
/// multiplies at every step): the blocked GEMM would pack all of B, k·n elements, to use it for only m rows, which at
/// m = 16 costs over a third of the product. Here only A is packed (m·k elements) and the AVX-512 micro-kernel reads
/// each row of B's slivers in place, NR adjacent elements a step of k. Tiles are the blocked kernel's and each element
/// of C is the same fused multiply-add chain over k, so results match it bitwise where k fits one of its slices.
/// </summary>
internal static unsafe class FewRowsGemm
{
    /// <summary>Rows up to which B is read in place: beyond, packing B once pays for itself over the row tiles.</summary>
    internal const int MaxRows = 48;

    /// <summary>
    /// Whether the product takes this path: float or double on AVX-512, 2 to <see cref="MaxRows"/> rows, B's rows
    /// contiguous, and at least one whole sliver of columns.
    /// </summary>
    internal static bool Applies<T>(int m, int n, int k, MatrixRef<T> b) where T : unmanaged =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Avx512F.IsSupported
        && m is > 1 and <= MaxRows && k > 0 && b.ColStride == 1 && n >= 2 * Avx512Lanes<T>();

    private static int Avx512Lanes<T>() where T : unmanaged => 64 / sizeof(T);

    /// <summary>
    /// C = (accumulate ? C : 0) + A·B where <see cref="Applies{T}"/> holds: whole slivers of columns with B in place,
    /// split between threads when large enough, and any last partial sliver through the blocked product.
    /// </summary>
    internal static void Run<T>(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        int mr = Fma512Kernel<T>.MR, nr = Fma512Kernel<T>.NR;
        int slivers = n / nr, rest = n - slivers * nr;
        PackBuffer.Get((long)(m + mr - 1) / mr * mr * k, 0, out T* packedA, out T* _);
        GemmPacking.PackA(a, m, k, mr, packedA);
        bool split = parallel && Threading.NumThreads > 1 && (long)m * n * k >= Gemm.ParallelThreshold && slivers > 1;
        if (split)
        {
            // Workers read the packed A from this thread's scratch, which stays put until this thread's next product.
            CpuParallel.For(slivers, 1, (s0, s1) => Slivers((int)s0, (int)s1, m, k, packedA, b, c, accumulate));
        }
        else
        {
            Slivers(0, slivers, m, k, packedA, b, c, accumulate);
        }
        if (rest > 0)
            BlockedGemm<T, Fma512Kernel<T>>.Run(m, rest, k, a, b.Offset(0, n - rest), c.Offset(0, n - rest), accumulate);
    }

    /// <summary>Column slivers [s0, s1) of C, every row tile of each, B's rows read <see cref="MatrixRef{T}.RowStride"/> apart.</summary>
    private static void Slivers<T>(int s0, int s1, int m, int k, T* packedA, MatrixRef<T> b, MatrixRef<T> c, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        int mr = Fma512Kernel<T>.MR, nr = Fma512Kernel<T>.NR;
        for (int s = s0; s < s1; s++)
        {
            int j = s * nr;
            for (int i = 0; i < m; i += mr)
                Fma512Kernel<T>.Run(k, packedA + (nint)i * k, b.At(0, j), b.RowStride, c.Offset(i, j), Math.Min(mr, m - i), nr, accumulate);
        }
    }
}
