using System.Numerics;

namespace Kiln.Kernels.Gemm;

/// <summary>Products whose right operand was packed ahead by <see cref="PackedMatrixB{T}.Pack(int, int, ReadOnlySpan{T}, ValueTuple{nint, nint})"/>.</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// C = (accumulate ? C : 0) + A·B with A m×k (strides <paramref name="strideA"/>), B the packed k×n
    /// <paramref name="b"/> and C m×n (strides <paramref name="strideC"/>). Large products split their rows
    /// across threads, which all read the one packed B: from <see cref="ParallelThreshold"/> on, as measured on a
    /// recurrence's 16×512×128 step (one product every ~30 µs keeps the pool thread awake, and two row strips beat one thread).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for its matrix and strides, or a stride is negative.</exception>
    internal static void RunPacked<T>(int m, ReadOnlySpan<T> a, (nint Row, nint Col) strideA, PackedMatrixB<T> b,
        Span<T> c, (nint Row, nint Col) strideC, bool accumulate, bool parallel = true)
        where T : unmanaged, INumberBase<T>
    {
        int n = b.N, k = b.K;
        CheckExtent("A", a.Length, m, k, strideA);
        CheckExtent("C", c.Length, m, n, strideC);
        if (m == 0 || n == 0) return;
        fixed (T* pa = a, pc = c)
        {
            var ma = new MatrixRef<T>(pa, strideA.Row, strideA.Col);
            var mc = new MatrixRef<T>(pc, strideC.Row, strideC.Col);
            if (k == 0)
            {
                if (!accumulate) Zero(mc, m, n);
                return;
            }
            switch (b.Kernel)
            {
                case MicroKernelChoice.Fma512: SplitPacked<T, Fma512Kernel<T>>(m, ma, b, mc, accumulate, parallel); break;
                case MicroKernelChoice.Fma256: SplitPacked<T, Fma256Kernel<T>>(m, ma, b, mc, accumulate, parallel); break;
                default: SplitPacked<T, ScalarKernel<T>>(m, ma, b, mc, accumulate, parallel); break;
            }
        }
    }

    /// <summary>The packed product on one thread, or in strips of rows (steps of <see cref="RowStep"/>) one per thread.</summary>
    private static void SplitPacked<T, TKernel>(int m, MatrixRef<T> a, PackedMatrixB<T> b, MatrixRef<T> c, bool accumulate, bool parallel)
        where T : unmanaged, INumberBase<T>
        where TKernel : IMicroKernel<T>
    {
        int n = b.N, k = b.K;
        using var pin = b.Pin();
        T* packed = (T*)pin.Pointer;
        bool split = parallel && Threading.NumThreads > 1 && (long)m * n * k >= ParallelThreshold && m > TKernel.MR;
        if (!split)
        {
            BlockedGemm<T, TKernel>.RunPacked(m, n, k, a, packed, c, accumulate);
            return;
        }
        CpuParallel.For((m + RowStep - 1) / RowStep, 1, (t0, t1) =>
        {
            int r0 = (int)t0 * RowStep, r1 = Math.Min((int)t1 * RowStep, m);
            BlockedGemm<T, TKernel>.RunPacked(r1 - r0, n, k, a.Offset(r0, 0), packed, c.Offset(r0, 0), accumulate);
        });
    }
}
