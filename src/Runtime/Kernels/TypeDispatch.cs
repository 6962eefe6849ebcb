using System.Numerics;

namespace Kiln.Kernels;

/// <summary>Work to run with the C# element type of a compute dtype (any numeric compute dtype).</summary>
internal interface INumberAction
{
    void Invoke<T>() where T : unmanaged, INumber<T>;
}

/// <summary>Work to run with the C# element type of a floating-point compute dtype.</summary>
internal interface IFloatAction
{
    void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Maps a compute dtype (see <see cref="Elementwise.Operands.ComputeDType"/>: float32, float64, the integers, and
/// uint8 for bool) to its C# element type, once for every elementwise and reduction kernel.
/// </summary>
internal static class TypeDispatch
{
    /// <summary>Runs <paramref name="action"/> with the element type of <paramref name="compute"/>.</summary>
    internal static void Number<TAction>(DType compute, TAction action) where TAction : struct, INumberAction
    {
        switch (compute)
        {
            case DType.Float32: action.Invoke<float>(); break;
            case DType.Float64: action.Invoke<double>(); break;
            case DType.Int64: action.Invoke<long>(); break;
            case DType.Int32: action.Invoke<int>(); break;
            case DType.Int16: action.Invoke<short>(); break;
            case DType.Int8: action.Invoke<sbyte>(); break;
            case DType.UInt8: action.Invoke<byte>(); break;
            default: throw new InvalidOperationException($"{compute.Name()} is not a compute dtype");
        }
    }

    /// <summary>Runs <paramref name="action"/> with the element type of the floating-point <paramref name="compute"/>.</summary>
    internal static void Float<TAction>(DType compute, TAction action) where TAction : struct, IFloatAction
    {
        switch (compute)
        {
            case DType.Float32: action.Invoke<float>(); break;
            case DType.Float64: action.Invoke<double>(); break;
            default: throw new InvalidOperationException($"{compute.Name()} is not a floating-point compute dtype");
        }
    }

    /// <summary>Whether <typeparamref name="T"/> is a floating-point element type (the JIT folds this per instantiation).</summary>
    internal static bool IsFloat<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);
}
