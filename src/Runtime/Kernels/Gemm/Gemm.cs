using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// General matrix multiply C = A·B (+ C) on strided operands: picks the micro-kernel for the element
/// type and the hardware, and splits large products across <see cref="Threading.NumThreads"/> threads.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>Multiply-adds (m·n·k) below which a product stays on one thread: a thread hand-off costs several µs.</summary>
    internal const long ParallelThreshold = 1 << 20;

    /// <summary>Whether float and double products run on a SIMD (AVX2/FMA or AVX-512) micro-kernel here.</summary>
    internal static bool IsVectorized => Fma.IsSupported;

    /// <summary>Whether this CPU can run <paramref name="kernel"/> on elements of type <typeparamref name="T"/>.</summary>
    internal static bool IsSupported<T>(MicroKernelChoice kernel) where T : unmanaged => kernel switch
    {
        MicroKernelChoice.Fma512 => IsFloating<T>() && Avx512F.IsSupported,
        MicroKernelChoice.Fma256 => IsFloating<T>() && Fma.IsSupported,
        _ => true,
    };

    /// <summary>
    /// C = (accumulate ? C : 0) + A·B with A m×k, B k×n and C m×n. <paramref name="parallel"/> allows
    /// splitting the product across threads (callers that already run products in parallel pass false).
    /// </summary>
    internal static void Run<T>(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) Zero(c, m, n);
            return;
        }
        // One row or one column: a matrix-vector product, streamed rather than packed (C = A·B ⇔ Cᵀ = Bᵀ·Aᵀ).
        if (n == 1 && Gemv.TryRun(m, k, a, b, c, accumulate, parallel)) return;
        if (m == 1 && Gemv.TryRun(n, k, b.Transposed, a.Transposed, c.Transposed, accumulate, parallel)) return;
        // Few columns, A's rows and B's columns along k (a classifier's last layer): dot products, not padded slivers.
        if (NarrowGemm.Applies(n, k, a, b))
        {
            NarrowGemm.Run(m, n, k, a, b, c, accumulate, parallel);
            return;
        }
        // A few rows against a transposed weight (a small batch through linear): W is read in place, not packed.
        if (FewRowsGemm.Applies(m, n, k, b))
        {
            FewRowsGemm.Run(m, n, k, a, b, c, accumulate, parallel);
            return;
        }
        RunOn(BestKernel<T>(), m, n, k, a, b, c, accumulate, parallel);
    }

    /// <summary>
    /// Whether <see cref="Run{T}(int, int, int, MatrixRef{T}, MatrixRef{T}, MatrixRef{T}, bool, bool)"/> would pack B for
    /// this product (the blocked path), rather than stream a matrix-vector product or dot products or read B in place.
    /// </summary>
    internal static bool WouldPackB<T>(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b) where T : unmanaged =>
        m > 1 && n > 1 && k > 0 && !NarrowGemm.Applies(n, k, a, b) && !FewRowsGemm.Applies(m, n, k, b);

    /// <summary>The micro-kernel <see cref="MicroKernelChoice.Best"/> stands for: AVX-512, else AVX2/FMA, else the portable one.</summary>
    internal static MicroKernelChoice BestKernel<T>() where T : unmanaged =>
        IsSupported<T>(MicroKernelChoice.Fma512) ? MicroKernelChoice.Fma512
        : IsSupported<T>(MicroKernelChoice.Fma256) ? MicroKernelChoice.Fma256
        : MicroKernelChoice.Portable;

    /// <summary>
    /// The same product on operands held in spans, each with its (row, column) element strides; for
    /// callers that hold arrays. <paramref name="portableKernel"/> forces the scalar micro-kernel (the
    /// path machines without FMA take).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for its matrix and strides, or a stride is negative.</exception>
    internal static void Run<T>(int m, int n, int k,
        ReadOnlySpan<T> a, (nint Row, nint Col) strideA,
        ReadOnlySpan<T> b, (nint Row, nint Col) strideB,
        Span<T> c, (nint Row, nint Col) strideC,
        bool accumulate, bool parallel = true, bool portableKernel = false)
        where T : unmanaged, INumberBase<T> =>
        Run(m, n, k, a, strideA, b, strideB, c, strideC, accumulate, parallel, portableKernel ? MicroKernelChoice.Portable : MicroKernelChoice.Best);

    /// <summary>
    /// The span form of the product on a chosen micro-kernel: <see cref="MicroKernelChoice.Best"/> takes
    /// the path <see cref="Run{T}(int, int, int, MatrixRef{T}, MatrixRef{T}, MatrixRef{T}, bool, bool)"/>
    /// takes; any other choice runs the blocked product on that kernel, even for one row or column.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for its matrix and strides, or a stride is negative.</exception>
    /// <exception cref="NotSupportedException">This CPU or element type cannot run <paramref name="kernel"/> (see <see cref="IsSupported{T}"/>).</exception>
    internal static void Run<T>(int m, int n, int k,
        ReadOnlySpan<T> a, (nint Row, nint Col) strideA,
        ReadOnlySpan<T> b, (nint Row, nint Col) strideB,
        Span<T> c, (nint Row, nint Col) strideC,
        bool accumulate, bool parallel, MicroKernelChoice kernel)
        where T : unmanaged, INumberBase<T>
    {
        if (!IsSupported<T>(kernel))
            throw new NotSupportedException($"gemm: the {kernel} micro-kernel does not run {typeof(T).Name} products on this CPU");
        CheckExtent("A", a.Length, m, k, strideA);
        CheckExtent("B", b.Length, k, n, strideB);
        CheckExtent("C", c.Length, m, n, strideC);
        fixed (T* pa = a, pb = b, pc = c)
        {
            var ma = new MatrixRef<T>(pa, strideA.Row, strideA.Col);
            var mb = new MatrixRef<T>(pb, strideB.Row, strideB.Col);
            var mc = new MatrixRef<T>(pc, strideC.Row, strideC.Col);
            if (kernel != MicroKernelChoice.Best && m > 0 && n > 0 && k > 0)
                RunOn(kernel, m, n, k, ma, mb, mc, accumulate, parallel);
            else
                Run(m, n, k, ma, mb, mc, accumulate, parallel);
        }
    }

    private static bool IsFloating<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>The blocked product on <paramref name="kernel"/> (one the CPU and <typeparamref name="T"/> support; not <see cref="MicroKernelChoice.Best"/>).</summary>
    private static void RunOn<T>(MicroKernelChoice kernel, int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        switch (kernel)
        {
            case MicroKernelChoice.Fma512: Split<T, Fma512Kernel<T>>(m, n, k, a, b, c, accumulate, parallel); break;
            case MicroKernelChoice.Fma256: Split<T, Fma256Kernel<T>>(m, n, k, a, b, c, accumulate, parallel); break;
            default: Split<T, ScalarKernel<T>>(m, n, k, a, b, c, accumulate, parallel); break;
        }
    }

    /// <exception cref="ArgumentException">The matrix does not fit in <paramref name="length"/> elements, or a size or stride is negative.</exception>
    internal static void CheckExtent(string name, int length, int rows, int cols, (nint Row, nint Col) stride)
    {
        if (rows < 0 || cols < 0 || stride.Row < 0 || stride.Col < 0)
            throw new ArgumentException($"gemm: {name} has a negative size or stride ({rows}x{cols}, strides ({stride.Row}, {stride.Col}))");
        if (rows > 0 && cols > 0 && (rows - 1) * stride.Row + (cols - 1) * stride.Col >= length)
            throw new ArgumentException($"gemm: {name} ({rows}x{cols}, strides ({stride.Row}, {stride.Col})) does not fit in {length} elements");
    }

    /// <summary>The granularity of row strips split between threads: the micro-kernels' shortest edge variant.</summary>
    private const int RowStep = 4;

    /// <summary>Bytes of a packed B panel small enough to stay in L2 while the threads take one tile of rows at a time (half of Zen 4's L2, all of Zen 1's).</summary>
    private const long SmallPanelBytes = 512 * 1024;

    /// <summary>
    /// Runs the blocked product, split across threads when it is large enough: along whichever of M and
    /// N has more micro-tiles, each thread packing its own panels. Products of one small B panel share
    /// out row tiles as the threads come; larger ones split into one strip of C per thread (rows in steps
    /// of <see cref="RowStep"/>, columns in whole tiles).
    /// </summary>
    private static void Split<T, TKernel>(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate, bool parallel)
        where T : unmanaged
        where TKernel : IMicroKernel<T>
    {
        int rowTiles = (m + TKernel.MR - 1) / TKernel.MR, colTiles = (n + TKernel.NR - 1) / TKernel.NR;
        bool split = parallel && Threading.NumThreads > 1 && (long)m * n * k >= ParallelThreshold && Math.Max(rowTiles, colTiles) > 1;
        if (!split)
        {
            BlockedGemm<T, TKernel>.Run(m, n, k, a, b, c, accumulate);
            return;
        }
        if (rowTiles >= colTiles && k <= TKernel.KC && n <= TKernel.NC && (long)k * n * sizeof(T) <= SmallPanelBytes)
        {
            // One small panel of B, which stays in L2: the threads share out its rows one tile at a time
            // as they come, so that the one that starts late (a woken pool thread, ~15 µs in a VM) takes
            // fewer. Such products take a few hundred µs, so the late start is worth that much.
            var next = new StrongBox<int>(0);
            CpuParallel.For(Threading.NumThreads, 1, (t0, t1) =>
            {
                for (long t = t0; t < t1; t++)
                    BlockedGemm<T, TKernel>.RunUnits(m, n, k, a, b, c, accumulate, TKernel.MR, next);
            });
            return;
        }
        if (rowTiles >= colTiles)
        {
            // Strips of equal height in steps of RowStep rather than whole tiles: each thread's last tile
            // runs a shorter kernel variant, so 256 rows split 128 + 128, not 132 + 124 on 12-row tiles.
            CpuParallel.For((m + RowStep - 1) / RowStep, 1, (t0, t1) =>
            {
                int r0 = (int)t0 * RowStep, r1 = Math.Min((int)t1 * RowStep, m);
                BlockedGemm<T, TKernel>.Run(r1 - r0, n, k, a.Offset(r0, 0), b, c.Offset(r0, 0), accumulate);
            });
        }
        else
        {
            CpuParallel.For(colTiles, 1, (t0, t1) =>
            {
                int j0 = (int)t0 * TKernel.NR, j1 = Math.Min((int)t1 * TKernel.NR, n);
                BlockedGemm<T, TKernel>.Run(m, j1 - j0, k, a, b.Offset(0, j0), c.Offset(0, j0), accumulate);
            });
        }
    }

    private static void Zero<T>(MatrixRef<T> c, int m, int n) where T : unmanaged
    {
        for (int i = 0; i < m; i++)
        {
            if (c.ColStride == 1)
            {
                new Span<T>(c.At(i, 0), n).Clear();
                continue;
            }
            for (int j = 0; j < n; j++)
                *c.At(i, j) = default;
        }
    }
}
