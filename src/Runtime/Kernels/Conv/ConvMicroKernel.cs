namespace Kiln.Kernels.Conv;

/// <summary>Which micro-kernel a convolution's GEMM runs on: the best one for the hardware and the output channels, or a forced one (for tests).</summary>
internal enum ConvMicroKernel
{
    /// <summary><see cref="FlatPositionConv{T}"/> for few output channels where AVX-512F runs and the stride is 1, else <see cref="DirectConv{T}"/> for few output channels, <see cref="ChannelVectorConv"/> for float32 with 13–16 output channels where FMA runs, else <see cref="Fma512Rows8Kernel{T}"/> where it runs and suits the channel count, else <see cref="Gemm.Fma256Kernel{T}"/> where FMA runs, else the portable kernel.</summary>
    Best,

    /// <summary>The 8×32 AVX-512 kernel (<see cref="Fma512Rows8Kernel{T}"/>); needs AVX-512.</summary>
    Fma512Rows8,

    /// <summary>The 6×16 AVX2/FMA kernel (<see cref="Gemm.Fma256Kernel{T}"/>); needs FMA.</summary>
    Fma256,

    /// <summary>The direct 6×16 kernel reading the image without packing (<see cref="DirectConv{T}"/>); needs FMA and stride 1 across columns.</summary>
    Direct,

    /// <summary>The direct kernel with output channels across the zmm lanes (<see cref="ChannelVectorConv"/>); needs AVX-512F, float32 and stride 1 across columns.</summary>
    ChannelVector512,

    /// <summary>The direct kernel with output channels across the ymm lanes (<see cref="ChannelVectorConv"/>); needs FMA, float32 and stride 1 across columns.</summary>
    ChannelVector256,

    /// <summary>The direct kernel over flat output positions (<see cref="FlatPositionConv{T}"/>); needs AVX-512F, float32 or float64 and stride 1 (else the default dispatch runs).</summary>
    FlatPositions,

    /// <summary>The portable 4×4 kernel (<see cref="Gemm.ScalarKernel{T}"/>): any CPU.</summary>
    Portable,
}
