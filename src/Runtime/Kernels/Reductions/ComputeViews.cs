namespace Kiln.Kernels.Reductions;

/// <summary>
/// The dtype a reduction kernel computes in: the one place reductions widen float16/bfloat16 and read bool
/// as uint8; <see cref="TypeDispatch"/> then picks the element type.
/// </summary>
internal static class ComputeViews
{
    /// <summary>
    /// The tensor a kernel reads for <paramref name="x"/>: float16 and bfloat16 converted to float32 (they
    /// are computed in float32, as in PyTorch), bool reinterpreted as uint8 without a copy, others as they are.
    /// </summary>
    internal static Tensor ComputeView(Tensor x) => x.DType switch
    {
        DType.Float16 or DType.BFloat16 => x.ToUntracked(DType.Float32),
        DType.Bool => Reinterpret(x, DType.UInt8),
        _ => x,
    };

    /// <summary>A result computed on <see cref="ComputeView"/> given back its original dtype: uint8 0/1 becomes bool again, float32 rounds to float16.</summary>
    internal static Tensor FromCompute(Tensor result, DType original) =>
        original == DType.Bool && result.DType == DType.UInt8 ? Reinterpret(result, DType.Bool) : result.To(original);

    /// <summary>The same storage read as another dtype of the same element size (bool as uint8 and back).</summary>
    internal static Tensor Reinterpret(Tensor x, DType dtype) => new(x.storage, dtype, x.shape, x.strides, x.offset);
}
