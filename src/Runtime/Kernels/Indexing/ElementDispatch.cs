namespace Kiln.Kernels.Indexing;

/// <summary>Work generic in a storage element type and the adapter that reads and writes it as long or double.</summary>
internal interface IElementAction
{
    void Invoke<T, E>() where T : unmanaged where E : IElementIO<T>;
}

/// <summary>Work that only moves elements: generic in an unsigned type as wide as the element.</summary>
internal interface IBitsAction
{
    void Invoke<T>() where T : unmanaged;
}

/// <summary>
/// Dispatches the indexing kernels on a dtype: arithmetic ones (scatter_add, index_add ...) on the storage
/// type itself, data movement (gather, index_select, masked_fill ...) on the element size alone, so a copy
/// kernel is compiled four times, not ten.
/// </summary>
internal static class ElementDispatch
{
    /// <summary>Runs <paramref name="action"/> with the storage type of <paramref name="dtype"/> and its adapter.</summary>
    internal static void ByDType<TAction>(DType dtype, TAction action) where TAction : struct, IElementAction
    {
        switch (dtype)
        {
            case DType.Float32: action.Invoke<float, F32IO>(); break;
            case DType.Float64: action.Invoke<double, F64IO>(); break;
            case DType.Float16: action.Invoke<Half, F16IO>(); break;
            case DType.BFloat16: action.Invoke<BFloat16, BF16IO>(); break;
            case DType.Int64: action.Invoke<long, I64IO>(); break;
            case DType.Int32: action.Invoke<int, I32IO>(); break;
            case DType.Int16: action.Invoke<short, I16IO>(); break;
            case DType.Int8: action.Invoke<sbyte, I8IO>(); break;
            case DType.UInt8: action.Invoke<byte, U8IO>(); break;
            default: action.Invoke<bool, BoolIO>(); break;
        }
    }

    /// <summary>Runs <paramref name="action"/> with an unsigned type of <paramref name="dtype"/>'s element size.</summary>
    internal static void BySize<TAction>(DType dtype, TAction action) where TAction : struct, IBitsAction
    {
        switch (dtype.ElementSize())
        {
            case 1: action.Invoke<byte>(); break;
            case 2: action.Invoke<ushort>(); break;
            case 4: action.Invoke<uint>(); break;
            default: action.Invoke<ulong>(); break;
        }
    }
}
