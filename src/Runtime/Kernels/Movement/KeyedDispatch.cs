namespace Kiln.Kernels.Movement;

/// <summary>Work to run with a dtype's element type, its sort key and the sort entry that holds the key.</summary>
internal interface IKeyedAction
{
    void Invoke<T, TKey, TEntry>()
        where T : unmanaged
        where TKey : struct, ISortKey<T>
        where TEntry : unmanaged, ISortEntry<TEntry>;
}

/// <summary>Picks the element type, key and entry of each dtype for the sorting kernels (sort, topk, unique).</summary>
internal static class KeyedDispatch
{
    /// <summary>Runs <paramref name="action"/> with the types of <paramref name="dtype"/>.</summary>
    internal static void Run<TAction>(DType dtype, ref TAction action) where TAction : struct, IKeyedAction
    {
        switch (dtype)
        {
            case DType.Float32: action.Invoke<float, F32Key, PackedEntry>(); break;
            case DType.Float64: action.Invoke<double, F64Key, WideEntry>(); break;
            case DType.Float16: action.Invoke<Half, F16Key, PackedEntry>(); break;
            case DType.BFloat16: action.Invoke<BFloat16, BF16Key, PackedEntry>(); break;
            case DType.Int64: action.Invoke<long, I64Key, WideEntry>(); break;
            case DType.Int32: action.Invoke<int, I32Key, PackedEntry>(); break;
            case DType.Int16: action.Invoke<short, I16Key, PackedEntry>(); break;
            case DType.Int8: action.Invoke<sbyte, I8Key, PackedEntry>(); break;
            default: action.Invoke<byte, U8Key, PackedEntry>(); break;
        }
    }
}
