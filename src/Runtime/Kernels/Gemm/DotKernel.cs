using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Gemm;

/// <summary>The inner product of two vectors (<c>torch.dot</c>): SIMD for contiguous vectors, float16 and bfloat16 accumulated in float32.</summary>
internal static class DotKernel
{
    /// <summary>a·b as a 0-d tensor of their dtype; both are 1-d of one length and one dtype (checked by the caller).</summary>
    internal static Tensor Dot(Tensor a, Tensor b)
    {
        var result = Tensor.Empty(a.DType, []);
        switch (a.DType)
        {
            case DType.Float32: result.Ref<float>() = Typed<float>(a, b); break;
            case DType.Float64: result.Ref<double>() = Typed<double>(a, b); break;
            case DType.Float16:
            case DType.BFloat16: return Tensor.Scalar(Typed<float>(a.ToUntracked(DType.Float32), b.ToUntracked(DType.Float32))).ToUntracked(a.DType);
            case DType.Int64: result.Ref<long>() = Typed<long>(a, b); break;
            case DType.Int32: result.Ref<int>() = Typed<int>(a, b); break;
            case DType.Int16: result.Ref<short>() = Typed<short>(a, b); break;
            case DType.Int8: result.Ref<sbyte>() = Typed<sbyte>(a, b); break;
            case DType.UInt8: result.Ref<byte>() = Typed<byte>(a, b); break;
            default: throw new ArgumentException($"dot: not implemented for {a.DType.Name()} tensors");
        }
        return result;
    }

    private static T Typed<T>(Tensor a, Tensor b) where T : unmanaged, INumberBase<T>
    {
        long n = a.numel, sa = a.strides[0], sb = b.strides[0];
        if (sa == 1 && sb == 1)
            return TensorPrimitives.Dot<T>(a.Span<T>(), b.Span<T>());
        T sum = T.Zero;
        for (long i = 0; i < n; i++)
            sum += a.Ref<T>(i * sa) * b.Ref<T>(i * sb);
        return sum;
    }
}
