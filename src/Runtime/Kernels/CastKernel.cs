using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels;

/// <summary>Converts elements between any two dtypes, whatever the source's strides.</summary>
internal static class CastKernel
{
    /// <summary>Writes <paramref name="src"/> converted to <paramref name="dst"/>'s dtype into <paramref name="dst"/> (same shape, or broadcastable).</summary>
    internal static void Cast(Tensor src, Tensor dst)
    {
        if (src.DType == DType.Float32 && dst.DType == DType.Float16 && src.IsContiguous && dst.IsContiguous && src.numel == dst.numel)
        {
            TensorPrimitives.ConvertToHalf(src.Span<float>(), dst.Span<Half>());
            return;
        }
        if (src.DType == DType.Float16 && dst.DType == DType.Float32 && src.IsContiguous && dst.IsContiguous && src.numel == dst.numel)
        {
            TensorPrimitives.ConvertToSingle(src.Span<Half>(), dst.Span<float>());
            return;
        }
        switch (src.DType)
        {
            case DType.Float32: From<float, F32IO>(src, dst); break;
            case DType.Float64: From<double, F64IO>(src, dst); break;
            case DType.Float16: From<Half, F16IO>(src, dst); break;
            case DType.BFloat16: From<BFloat16, BF16IO>(src, dst); break;
            case DType.Int64: From<long, I64IO>(src, dst); break;
            case DType.Int32: From<int, I32IO>(src, dst); break;
            case DType.Int16: From<short, I16IO>(src, dst); break;
            case DType.Int8: From<sbyte, I8IO>(src, dst); break;
            case DType.UInt8: From<byte, U8IO>(src, dst); break;
            default: From<bool, BoolIO>(src, dst); break;
        }
    }

    private static void From<TS, ES>(Tensor src, Tensor dst)
        where TS : unmanaged where ES : IElementIO<TS>
    {
        switch (dst.DType)
        {
            case DType.Float32: Run<TS, ES, float, F32IO>(src, dst); break;
            case DType.Float64: Run<TS, ES, double, F64IO>(src, dst); break;
            case DType.Float16: Run<TS, ES, Half, F16IO>(src, dst); break;
            case DType.BFloat16: Run<TS, ES, BFloat16, BF16IO>(src, dst); break;
            case DType.Int64: Run<TS, ES, long, I64IO>(src, dst); break;
            case DType.Int32: Run<TS, ES, int, I32IO>(src, dst); break;
            case DType.Int16: Run<TS, ES, short, I16IO>(src, dst); break;
            case DType.Int8: Run<TS, ES, sbyte, I8IO>(src, dst); break;
            case DType.UInt8: Run<TS, ES, byte, U8IO>(src, dst); break;
            default: Run<TS, ES, bool, BoolIO>(src, dst); break;
        }
    }

    private static void Run<TS, ES, TD, ED>(Tensor src, Tensor dst)
        where TS : unmanaged where ES : IElementIO<TS> where TD : unmanaged where ED : IElementIO<TD>
    {
        var strides = new[] { dst.strides, CopyKernel.BroadcastStrides(src, dst.shape, "to") };
        RowLoop.Run(dst.shape, strides, new Rows<TS, ES, TD, ED>(src, dst));
    }

    private readonly struct Rows<TS, ES, TD, ED>(Tensor src, Tensor dst) : IRowKernel
        where TS : unmanaged where ES : IElementIO<TS> where TD : unmanaged where ED : IElementIO<TD>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref TD d = ref dst.Ref<TD>(offsets[0]);
            ref TS s = ref src.Ref<TS>(offsets[1]);
            long ds = strides[0], ss = strides[1];
            for (long i = 0; i < n; i++)
            {
                TS v = Unsafe.Add(ref s, (nint)(i * ss));
                Unsafe.Add(ref d, (nint)(i * ds)) = ES.IsFloat ? ED.FromDouble(ES.ToDouble(v)) : ED.FromLong(ES.ToLong(v));
            }
        }
    }
}
