namespace Kiln;

/// <summary>The element type of a tensor. Names and semantics follow <c>torch.dtype</c>.</summary>
public enum DType : byte
{
    /// <summary>Boolean, stored as one byte holding 0 or 1 (<c>torch.bool</c>).</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer (<c>torch.uint8</c>).</summary>
    UInt8,
    /// <summary>Signed 8-bit integer (<c>torch.int8</c>).</summary>
    Int8,
    /// <summary>Signed 16-bit integer (<c>torch.int16</c>).</summary>
    Int16,
    /// <summary>Signed 32-bit integer (<c>torch.int32</c>).</summary>
    Int32,
    /// <summary>Signed 64-bit integer (<c>torch.int64</c>), the default integer type.</summary>
    Int64,
    /// <summary>IEEE 754 half precision (<c>torch.float16</c>).</summary>
    Float16,
    /// <summary>Brain floating point: float32's exponent with a 7-bit mantissa (<c>torch.bfloat16</c>).</summary>
    BFloat16,
    /// <summary>IEEE 754 single precision (<c>torch.float32</c>), the default floating type.</summary>
    Float32,
    /// <summary>IEEE 754 double precision (<c>torch.float64</c>).</summary>
    Float64,
}

/// <summary>Facts about each <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Every dtype, in declaration order.</summary>
    public static IReadOnlyList<DType> All { get; } = Enum.GetValues<DType>();

    /// <summary>The floating-point dtypes.</summary>
    public static IReadOnlyList<DType> Floating { get; } = [DType.Float16, DType.BFloat16, DType.Float32, DType.Float64];

    /// <summary>The integer dtypes (bool excluded).</summary>
    public static IReadOnlyList<DType> Integral { get; } = [DType.UInt8, DType.Int8, DType.Int16, DType.Int32, DType.Int64];

    /// <summary>The default dtype for floating-point values (float32, as in PyTorch).</summary>
    public const DType DefaultFloat = DType.Float32;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Bool or DType.UInt8 or DType.Int8 => 1,
        DType.Int16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for float16, bfloat16, float32 and float64.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype >= DType.Float16;

    /// <summary>True for the integer dtypes, bool excluded.</summary>
    public static bool IsIntegral(this DType dtype) => dtype is >= DType.UInt8 and <= DType.Int64;

    /// <summary>True for the dtypes that can hold a negative value.</summary>
    public static bool IsSigned(this DType dtype) => dtype is not (DType.Bool or DType.UInt8);

    /// <summary>The lower-case name PyTorch uses, e.g. <c>float32</c>.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Bool => "bool",
        DType.UInt8 => "uint8",
        DType.Int8 => "int8",
        DType.Int16 => "int16",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.Float16 => "float16",
        DType.BFloat16 => "bfloat16",
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Parses a name produced by <see cref="Name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a dtype.</exception>
    public static DType Parse(string name)
    {
        foreach (var d in All)
        {
            if (d.Name() == name)
                return d;
        }
        throw new ArgumentException($"unknown dtype '{name}'; expected one of {string.Join(", ", All.Select(d => d.Name()))}", nameof(name));
    }
}
