using System.Numerics;

namespace Kiln.Kernels.Gemm;

/// <summary>Products whose right operand was packed ahead by <see cref="PackedMatrixB{T}.Pack(int, int, ReadOnlySpan{T}, ValueTuple{nint, nint})"/>.</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// C = (accumulate ? C : 0) + A·B with A m×k (strides <paramref name="strideA"/>), B the packed k×n
    /// <paramref name="b"/> and C m×n (strides <paramref name="strideC"/>). Large products split across threads
    /// (see SplitPacked), which all read the one packed B: from <see cref="ParallelThreshold"/> on, as measured on a
    /// recurrence's 16×512×128 step (one product every ~30 µs keeps the pool thread awake, and two row strips beat one thread).
    /// A non-empty <paramref name="rowInit"/> (n elements; not with <paramref name="accumulate"/>) is what every row of C starts from instead of 0.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for its matrix and strides, a stride is negative, or rowInit does not fit.</exception>
    internal static void RunPacked<T>(int m, ReadOnlySpan<T> a, (nint Row, nint Col) strideA, PackedMatrixB<T> b,
        Span<T> c, (nint Row, nint Col) strideC, bool accumulate, bool parallel = true, ReadOnlySpan<T> rowInit = default)
        where T : unmanaged, INumberBase<T>
    {
        int n = b.N, k = b.K;
        CheckExtent("A", a.Length, m, k, strideA);
        CheckExtent("C", c.Length, m, n, strideC);
        if (!rowInit.IsEmpty && (rowInit.Length != n || accumulate))
            throw new ArgumentException($"gemm: a row to start from needs C's {n} columns and no accumulation (got {rowInit.Length} elements, accumulate {accumulate})");
        if (m == 0 || n == 0) return;
        fixed (T* pa = a, pc = c, pr = rowInit)
            RunPackedPinned(m, new MatrixRef<T>(pa, strideA.Row, strideA.Col), b, new MatrixRef<T>(pc, strideC.Row, strideC.Col), accumulate, parallel, pr);
    }

    /// <summary>
    /// The packed product on pinned operands whose sizes and strides are already checked; with <paramref name="rowInit"/>
    /// (not with <paramref name="accumulate"/>), C = rowInit + A·B, rowInit an n-vector every row starts from (a bias).
    /// </summary>
    internal static void RunPackedPinned<T>(int m, MatrixRef<T> a, PackedMatrixB<T> b, MatrixRef<T> c, bool accumulate, bool parallel, T* rowInit = null)
        where T : unmanaged, INumberBase<T>
    {
        if (m == 0 || b.N == 0) return;
        if (b.K == 0)
        {
            if (rowInit != null) TileStore.FillRows(rowInit, c, m, b.N);
            else if (!accumulate) Zero(c, m, b.N);
            return;
        }
        switch (b.Kernel)
        {
            case MicroKernelChoice.Fma512: SplitPacked<T, Fma512Kernel<T>>(m, a, b, c, accumulate, parallel, rowInit); break;
            case MicroKernelChoice.Fma256: SplitPacked<T, Fma256Kernel<T>>(m, a, b, c, accumulate, parallel, rowInit); break;
            default: SplitPacked<T, ScalarKernel<T>>(m, a, b, c, accumulate, parallel, rowInit); break;
        }
    }

    /// <summary>
    /// Bytes of packed B up to which <see cref="SplitPacked"/> splits rows between threads. Up to L2's size (1 MB on
    /// Skylake-SP and Zen 4) rows still win: each thread packs only its own rows of A and sweeps whole panels (MLP's
    /// 512×512 layer at batch 64: 0.96× the time of the column split, in one process); at 784×512 (1.6 MB) the two
    /// are even.
    /// </summary>
    private const long RowSplitPackedBytes = 1024 * 1024;

    /// <summary>
    /// The packed product on one thread, or split between threads: in strips of rows (steps of <see cref="RowStep"/>) when
    /// B fits in L2 (<see cref="RowSplitPackedBytes"/>), else in strips of whole slivers of columns, so that each thread
    /// streams only its own part of a large B from memory.
    /// </summary>
    private static void SplitPacked<T, TKernel>(int m, MatrixRef<T> a, PackedMatrixB<T> b, MatrixRef<T> c, bool accumulate, bool parallel, T* rowInit)
        where T : unmanaged, INumberBase<T>
        where TKernel : IMicroKernel<T>
    {
        int n = b.N, k = b.K;
        using var pin = b.Pin();
        T* packed = (T*)pin.Pointer;
        bool work = parallel && Threading.NumThreads > 1 && (long)m * n * k >= ParallelThreshold;
        int colTiles = (n + TKernel.NR - 1) / TKernel.NR;
        if (work && (long)k * n * sizeof(T) > RowSplitPackedBytes && colTiles > 1)
        {
            CpuParallel.For(colTiles, 1, (t0, t1) =>
                BlockedGemm<T, TKernel>.RunPacked(m, n, k, a, packed, c, accumulate, (int)t0 * TKernel.NR, Math.Min((int)t1 * TKernel.NR, n), rowInit));
            return;
        }
        if (!work || m <= TKernel.MR)
        {
            BlockedGemm<T, TKernel>.RunPacked(m, n, k, a, packed, c, accumulate, 0, n, rowInit);
            return;
        }
        CpuParallel.For((m + RowStep - 1) / RowStep, 1, (t0, t1) =>
        {
            int r0 = (int)t0 * RowStep, r1 = Math.Min((int)t1 * RowStep, m);
            BlockedGemm<T, TKernel>.RunPacked(r1 - r0, n, k, a.Offset(r0, 0), packed, c.Offset(r0, 0), accumulate, 0, n, rowInit);
        });
    }
}
