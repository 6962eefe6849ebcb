using System.Numerics;

namespace Kiln.Kernels.Reductions;

/// <summary>A kernel generic over any numeric element type.</summary>
internal interface INumericAction
{
    /// <summary>Runs the kernel for elements of type <typeparamref name="T"/>.</summary>
    void Run<T>() where T : unmanaged, INumber<T>;
}

/// <summary>A kernel generic over float and double.</summary>
internal interface IFloatAction
{
    /// <summary>Runs the kernel for elements of type <typeparamref name="T"/>.</summary>
    void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Picks the element type a kernel runs on from a compute dtype (see <see cref="ComputeView"/>): the
/// one place the reduction kernels switch on dtypes.
/// </summary>
internal static class DTypeDispatch
{
    /// <summary>Runs <paramref name="action"/> for the element type of <paramref name="compute"/>.</summary>
    internal static void Numeric<TAction>(DType compute, TAction action) where TAction : struct, INumericAction
    {
        switch (compute)
        {
            case DType.Float32: action.Run<float>(); break;
            case DType.Float64: action.Run<double>(); break;
            case DType.Int64: action.Run<long>(); break;
            case DType.Int32: action.Run<int>(); break;
            case DType.Int16: action.Run<short>(); break;
            case DType.Int8: action.Run<sbyte>(); break;
            case DType.UInt8: action.Run<byte>(); break;
            default: throw new InvalidOperationException($"reduction kernels do not run on {compute.Name()} directly; use ComputeView first");
        }
    }

    /// <summary>Runs <paramref name="action"/> for float32 or float64.</summary>
    internal static void Float<TAction>(DType compute, TAction action) where TAction : struct, IFloatAction
    {
        switch (compute)
        {
            case DType.Float32: action.Run<float>(); break;
            case DType.Float64: action.Run<double>(); break;
            default: throw new InvalidOperationException($"floating reduction kernels do not run on {compute.Name()}; convert to float32 first");
        }
    }

    /// <summary>
    /// The tensor a kernel reads for <paramref name="x"/>: float16 and bfloat16 converted to float32 (they
    /// are computed in float32, as in PyTorch), bool reinterpreted as uint8 without a copy, others as they are.
    /// </summary>
    internal static Tensor ComputeView(Tensor x) => x.DType switch
    {
        DType.Float16 or DType.BFloat16 => x.To(DType.Float32),
        DType.Bool => Reinterpret(x, DType.UInt8),
        _ => x,
    };

    /// <summary>A result computed on <see cref="ComputeView"/> given back its original dtype: uint8 0/1 becomes bool again, float32 rounds to float16.</summary>
    internal static Tensor FromCompute(Tensor result, DType original) =>
        original == DType.Bool && result.DType == DType.UInt8 ? Reinterpret(result, DType.Bool) : result.To(original);

    /// <summary>The same storage read as another dtype of the same element size (bool as uint8 and back).</summary>
    internal static Tensor Reinterpret(Tensor x, DType dtype) => new(x.storage, dtype, x.shape, x.strides, x.offset);
}
