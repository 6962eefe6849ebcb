namespace Kiln;

/// <summary>Maps C# element types to dtypes.</summary>
internal static class ElementTypes
{
    /// <summary>The dtype whose elements are stored as <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a tensor element type.</exception>
    internal static DType DTypeOf<T>()
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(short)) return DType.Int16;
        if (typeof(T) == typeof(sbyte)) return DType.Int8;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        if (typeof(T) == typeof(BFloat16)) return DType.BFloat16;
        throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type; use float, double, Half, BFloat16, long, int, short, sbyte, byte or bool");
    }

    /// <summary>Throws unless <typeparamref name="T"/> is the element type of <paramref name="dtype"/>.</summary>
    internal static void Check<T>(DType dtype, string op)
    {
        var d = DTypeOf<T>();
        if (d != dtype)
            throw new InvalidOperationException($"{op}: the tensor's dtype is {dtype.Name()}, but {typeof(T).Name} elements ({d.Name()}) were asked for; convert with To(DType.{d}) first");
    }
}
