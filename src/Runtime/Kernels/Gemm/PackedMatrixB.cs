using System.Numerics;
using Kiln.Memory;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// The right operand B (k×n) of many products, packed once into the panel layout of the micro-kernel chosen
/// for this CPU, so that <see cref="Gemm.RunPacked{T}"/> skips the packing a plain product repeats on every call
/// (a recurrence multiplies by the same W_hhᵀ at every step).
/// </summary>
internal sealed unsafe class PackedMatrixB<T> where T : unmanaged, INumberBase<T>
{
    private const int Alignment = 64;

    // From the tensor buffer pool (a fresh large array per call costs a page fault per 4 KiB on first touch),
    // so not pinned: callers pin it with Pin while they run.
    private readonly byte[] storage;

    // Where the panels start in storage: 64-byte aligned when packed (the large object heap does not move it).
    private readonly int start;

    private PackedMatrixB(int k, int n, MicroKernelChoice kernel, long length)
    {
        K = k;
        N = n;
        Kernel = kernel;
        storage = CpuBufferPool.Shared.Rent(checked((int)(length * sizeof(T) + Alignment)), zeroed: false);
        fixed (byte* first = storage)
            start = (int)((Alignment - (nint)first % Alignment) % Alignment);
    }

    /// <summary>Rows of B (the depth of the products).</summary>
    internal int K { get; }

    /// <summary>Columns of B (and of the products).</summary>
    internal int N { get; }

    /// <summary>The micro-kernel the panels are laid out for; <see cref="Gemm.RunPacked{T}"/> runs on it.</summary>
    internal MicroKernelChoice Kernel { get; }

    /// <summary>Pins the packed panels for as long as the returned handle is held; <see cref="System.Buffers.MemoryHandle.Pointer"/> points at them.</summary>
    internal System.Buffers.MemoryHandle Pin() => storage.AsMemory(start).Pin();

    /// <summary>Packs B (k×n, element strides <paramref name="strideB"/>) for the best micro-kernel this CPU has for <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException">The span is too short for the matrix and strides, or a size or stride is negative.</exception>
    internal static PackedMatrixB<T> Pack(int k, int n, ReadOnlySpan<T> b, (nint Row, nint Col) strideB) =>
        Pack(k, n, b, strideB, MicroKernelChoice.Best);

    /// <summary>Packs B for <paramref name="kernel"/> (<see cref="MicroKernelChoice.Best"/>: the one <see cref="Gemm.BestKernel{T}"/> picks).</summary>
    /// <exception cref="ArgumentException">The span is too short for the matrix and strides, or a size or stride is negative.</exception>
    /// <exception cref="NotSupportedException">This CPU or element type cannot run <paramref name="kernel"/>.</exception>
    internal static PackedMatrixB<T> Pack(int k, int n, ReadOnlySpan<T> b, (nint Row, nint Col) strideB, MicroKernelChoice kernel)
    {
        Gemm.CheckExtent("B", b.Length, k, n, strideB);
        fixed (T* pb = b)
            return Pack(k, n, new MatrixRef<T>(pb, strideB.Row, strideB.Col), kernel);
    }

    /// <summary>Packs B (k×n, pinned, sizes and strides already checked) for <paramref name="kernel"/>, as the span form does.</summary>
    /// <exception cref="NotSupportedException">This CPU or element type cannot run <paramref name="kernel"/>.</exception>
    internal static PackedMatrixB<T> Pack(int k, int n, MatrixRef<T> b, MicroKernelChoice kernel)
    {
        if (kernel == MicroKernelChoice.Best)
            kernel = Gemm.BestKernel<T>();
        if (!Gemm.IsSupported<T>(kernel))
            throw new NotSupportedException($"gemm pack: the {kernel} micro-kernel does not run {typeof(T).Name} products on this CPU");
        var packed = new PackedMatrixB<T>(k, n, kernel, kernel switch
        {
            MicroKernelChoice.Fma512 => BlockedGemm<T, Fma512Kernel<T>>.PackedLength(k, n),
            MicroKernelChoice.Fma256 => BlockedGemm<T, Fma256Kernel<T>>.PackedLength(k, n),
            _ => BlockedGemm<T, ScalarKernel<T>>.PackedLength(k, n),
        });
        if (k == 0 || n == 0) return packed;
        using var pin = packed.Pin();
        switch (kernel)
        {
            case MicroKernelChoice.Fma512: BlockedGemm<T, Fma512Kernel<T>>.PackAll(k, n, b, (T*)pin.Pointer); break;
            case MicroKernelChoice.Fma256: BlockedGemm<T, Fma256Kernel<T>>.PackAll(k, n, b, (T*)pin.Pointer); break;
            default: BlockedGemm<T, ScalarKernel<T>>.PackAll(k, n, b, (T*)pin.Pointer); break;
        }
        return packed;
    }
}
