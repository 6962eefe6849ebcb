namespace Kiln.Kernels.Gemm;

/// <summary>Which micro-kernel a product runs on: the best one for the hardware, or a forced one (for tests and benchmarks).</summary>
internal enum MicroKernelChoice
{
    /// <summary>AVX-512 for float and double where the CPU has it, else AVX2/FMA, else the portable kernel; matrix-vector products are streamed.</summary>
    Best,

    /// <summary>The 12×32 AVX-512 kernel (<see cref="Fma512Kernel{T}"/>); float and double only.</summary>
    Fma512,

    /// <summary>The 6×16 AVX2/FMA kernel (<see cref="Fma256Kernel{T}"/>); float and double only.</summary>
    Fma256,

    /// <summary>The portable 4×4 kernel (<see cref="ScalarKernel{T}"/>): any element type, any CPU.</summary>
    Portable,
}
