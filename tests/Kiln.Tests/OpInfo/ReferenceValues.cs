using System.Globalization;
using System.Text.Json;

namespace Kiln.Tests.OpInfo;

/// <summary>Reads the element values of the reference files exactly, per dtype.</summary>
internal static class ReferenceValues
{
    /// <summary>
    /// A floating-point value, parsed in its own dtype (so a float32 decimal reads back as exactly that
    /// float32) and widened to double. NaN and infinities are the strings <c>nan</c>, <c>inf</c>, <c>-inf</c>.
    /// </summary>
    public static double Float(JsonElement e, DType dtype)
    {
        if (e.ValueKind == JsonValueKind.String)
            return SampleCodec.ParseNonFinite(e.GetString()!);
        string text = e.GetRawText();
        return dtype switch
        {
            DType.Float16 => (double)Half.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            DType.Float32 or DType.BFloat16 => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>An integer or bool value (bools as 0 and 1).</summary>
    public static long Integer(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => e.GetInt64(),
    };
}
