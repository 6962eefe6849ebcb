using System.Runtime.CompilerServices;

namespace Kiln.Kernels;

/// <summary>
/// Reads and writes one storage element type through two wide forms (long for integers and bool, double
/// for floats), so conversions between any two dtypes are written once.
/// </summary>
internal interface IElementIO<T> where T : unmanaged
{
    static abstract bool IsFloat { get; }
    static abstract long ToLong(T v);
    static abstract double ToDouble(T v);
    static abstract T FromLong(long v);
    static abstract T FromDouble(double v);
}

internal readonly struct F32IO : IElementIO<float>
{
    public static bool IsFloat => true;
    public static long ToLong(float v) => (long)v;
    public static double ToDouble(float v) => v;
    public static float FromLong(long v) => v;
    public static float FromDouble(double v) => (float)v;
}

internal readonly struct F64IO : IElementIO<double>
{
    public static bool IsFloat => true;
    public static long ToLong(double v) => (long)v;
    public static double ToDouble(double v) => v;
    public static double FromLong(long v) => v;
    public static double FromDouble(double v) => v;
}

internal readonly struct F16IO : IElementIO<Half>
{
    public static bool IsFloat => true;
    public static long ToLong(Half v) => (long)(float)v;
    public static double ToDouble(Half v) => (double)v;
    public static Half FromLong(long v) => (Half)(float)v;
    public static Half FromDouble(double v) => (Half)v;
}

internal readonly struct BF16IO : IElementIO<BFloat16>
{
    public static bool IsFloat => true;
    public static long ToLong(BFloat16 v) => (long)(float)v;
    public static double ToDouble(BFloat16 v) => (float)v;
    public static BFloat16 FromLong(long v) => (BFloat16)(float)v;
    public static BFloat16 FromDouble(double v) => (BFloat16)(float)v;
}

internal readonly struct I64IO : IElementIO<long>
{
    public static bool IsFloat => false;
    public static long ToLong(long v) => v;
    public static double ToDouble(long v) => v;
    public static long FromLong(long v) => v;
    public static long FromDouble(double v) => FloatToInt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long FloatToInt(double v) => double.IsNaN(v) ? long.MinValue : (long)v;
}

internal readonly struct I32IO : IElementIO<int>
{
    public static bool IsFloat => false;
    public static long ToLong(int v) => v;
    public static double ToDouble(int v) => v;
    public static int FromLong(long v) => (int)v;
    public static int FromDouble(double v) => (int)I64IO.FloatToInt(v);
}

internal readonly struct I16IO : IElementIO<short>
{
    public static bool IsFloat => false;
    public static long ToLong(short v) => v;
    public static double ToDouble(short v) => v;
    public static short FromLong(long v) => (short)v;
    public static short FromDouble(double v) => (short)I64IO.FloatToInt(v);
}

internal readonly struct I8IO : IElementIO<sbyte>
{
    public static bool IsFloat => false;
    public static long ToLong(sbyte v) => v;
    public static double ToDouble(sbyte v) => v;
    public static sbyte FromLong(long v) => (sbyte)v;
    public static sbyte FromDouble(double v) => (sbyte)I64IO.FloatToInt(v);
}

internal readonly struct U8IO : IElementIO<byte>
{
    public static bool IsFloat => false;
    public static long ToLong(byte v) => v;
    public static double ToDouble(byte v) => v;
    public static byte FromLong(long v) => (byte)v;
    public static byte FromDouble(double v) => (byte)I64IO.FloatToInt(v);
}

internal readonly struct BoolIO : IElementIO<bool>
{
    public static bool IsFloat => false;
    public static long ToLong(bool v) => v ? 1 : 0;
    public static double ToDouble(bool v) => v ? 1 : 0;
    public static bool FromLong(long v) => v != 0;
    public static bool FromDouble(double v) => v != 0;
}

/// <summary>Writes one C# number into a tensor element of any dtype, converting as a cast would.</summary>
internal static class ElementStore
{
    /// <summary>Stores <paramref name="v"/> at storage index <paramref name="index"/> (relative to the tensor's offset).</summary>
    internal static void Set(Tensor t, long index, double v)
    {
        switch (t.DType)
        {
            case DType.Float32: t.Ref<float>(index) = F32IO.FromDouble(v); break;
            case DType.Float64: t.Ref<double>(index) = v; break;
            case DType.Float16: t.Ref<Half>(index) = F16IO.FromDouble(v); break;
            case DType.BFloat16: t.Ref<BFloat16>(index) = BF16IO.FromDouble(v); break;
            case DType.Int64: t.Ref<long>(index) = I64IO.FromDouble(v); break;
            case DType.Int32: t.Ref<int>(index) = I32IO.FromDouble(v); break;
            case DType.Int16: t.Ref<short>(index) = I16IO.FromDouble(v); break;
            case DType.Int8: t.Ref<sbyte>(index) = I8IO.FromDouble(v); break;
            case DType.UInt8: t.Ref<byte>(index) = U8IO.FromDouble(v); break;
            default: t.Ref<bool>(index) = BoolIO.FromDouble(v); break;
        }
    }

    /// <summary>Stores <paramref name="v"/> at storage index <paramref name="index"/>, exactly for 64-bit integers.</summary>
    internal static void Set(Tensor t, long index, long v)
    {
        switch (t.DType)
        {
            case DType.Float32: t.Ref<float>(index) = F32IO.FromLong(v); break;
            case DType.Float64: t.Ref<double>(index) = F64IO.FromLong(v); break;
            case DType.Float16: t.Ref<Half>(index) = F16IO.FromLong(v); break;
            case DType.BFloat16: t.Ref<BFloat16>(index) = BF16IO.FromLong(v); break;
            case DType.Int64: t.Ref<long>(index) = v; break;
            case DType.Int32: t.Ref<int>(index) = I32IO.FromLong(v); break;
            case DType.Int16: t.Ref<short>(index) = I16IO.FromLong(v); break;
            case DType.Int8: t.Ref<sbyte>(index) = I8IO.FromLong(v); break;
            case DType.UInt8: t.Ref<byte>(index) = U8IO.FromLong(v); break;
            default: t.Ref<bool>(index) = BoolIO.FromLong(v); break;
        }
    }
}
