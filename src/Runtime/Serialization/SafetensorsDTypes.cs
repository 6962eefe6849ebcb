namespace Kiln.Serialization;

/// <summary>The safetensors dtype names of Kiln's dtypes, and their order in the reference writer.</summary>
internal static class SafetensorsDTypes
{
    /// <summary>Dtypes the format defines that Kiln has no tensors for (named in errors as unsupported, not unknown).</summary>
    private static readonly HashSet<string> Unsupported =
        ["U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

    /// <summary>The name written in the header, e.g. <c>F32</c>.</summary>
    internal static string Name(DType dtype) => dtype switch
    {
        DType.Bool => "BOOL",
        DType.UInt8 => "U8",
        DType.Int8 => "I8",
        DType.Int16 => "I16",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "safetensors: unknown dtype"),
    };

    /// <summary>The dtype for a header name.</summary>
    /// <exception cref="SafetensorsFormatException">The name is not a dtype Kiln reads.</exception>
    internal static DType Parse(string name, string tensor) => name switch
    {
        "BOOL" => DType.Bool,
        "U8" => DType.UInt8,
        "I8" => DType.Int8,
        "I16" => DType.Int16,
        "I32" => DType.Int32,
        "I64" => DType.Int64,
        "F16" => DType.Float16,
        "BF16" => DType.BFloat16,
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        _ when Unsupported.Contains(name) => throw new SafetensorsFormatException(
            $"safetensors: tensor '{tensor}': dtype \"{name}\" is a safetensors dtype that Kiln does not support"),
        _ => throw new SafetensorsFormatException(
            $"safetensors: tensor '{tensor}': unknown dtype \"{name}\" (expected one of BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64)"),
    };

    /// <summary>
    /// The position of the dtype in the reference implementation's <c>Dtype</c> enum, which lists dtypes by
    /// increasing alignment; its writer puts tensors of later dtypes first, so that every tensor's data stays aligned.
    /// </summary>
    internal static int WriteRank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Int8 => 2,
        DType.Int16 => 3,
        DType.Float16 => 4,
        DType.BFloat16 => 5,
        DType.Int32 => 6,
        DType.Float32 => 7,
        DType.Float64 => 8,
        DType.Int64 => 9,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "safetensors: unknown dtype"),
    };
}
