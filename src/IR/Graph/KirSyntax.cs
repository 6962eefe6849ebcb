using System.Globalization;

namespace Kiln.IR;

/// <summary>The spellings the <c>.kir</c> text form shares between its printer and parser: dtype names, identifiers, literals.</summary>
public static class KirSyntax
{
    private static readonly (DType DType, string Name)[] DTypeNames =
    [
        (DType.Bool, "bool"), (DType.UInt8, "u8"), (DType.Int8, "i8"), (DType.Int16, "i16"), (DType.Int32, "i32"),
        (DType.Int64, "i64"), (DType.Float16, "f16"), (DType.BFloat16, "bf16"), (DType.Float32, "f32"), (DType.Float64, "f64"),
    ];

    /// <summary>The short dtype name used in types: <c>f32</c>, <c>i64</c>, <c>bf16</c>, <c>bool</c>.</summary>
    public static string DTypeName(DType dtype) => Array.Find(DTypeNames, p => p.DType == dtype).Name;

    /// <summary>Parses a short dtype name (<c>f32</c>) or PyTorch's long one (<c>float32</c>).</summary>
    public static bool TryParseDType(string name, out DType dtype)
    {
        foreach (var (d, n) in DTypeNames)
        {
            if (n == name || d.Name() == name)
            {
                dtype = d;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>Whether <paramref name="text"/> is an identifier: letters, digits and '_', not starting with a digit.</summary>
    public static bool IsIdentifier(string text) =>
        text.Length > 0 && !char.IsAsciiDigit(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Whether <paramref name="c"/> may appear in a name after <c>%</c> or <c>@</c> (dots allow <c>@fc1.weight</c>).</summary>
    internal static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.';

    /// <summary>Formats a float so that it reads back as a float: always with a '.', an exponent, or as <c>inf</c>/<c>nan</c>.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s : s + ".0";
    }

    /// <summary>Formats a string literal with C-style escapes for '"' and '\'.</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Formats one attribute value: <c>1</c>, <c>0.5</c>, <c>true</c>, <c>"mean"</c>, <c>f32</c>, <c>[1, 2]</c> or <c>none</c>.</summary>
    public static string FormatAttribute(object? value) => value switch
    {
        null => "none",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        bool b => b ? "true" : "false",
        string s => Quote(s),
        DType d => DTypeName(d),
        long[] a => "[" + string.Join(", ", a.Select(x => x.ToString(CultureInfo.InvariantCulture))) + "]",
        _ => throw new ArgumentException($"attribute values of type {value.GetType().Name} have no text form", nameof(value)),
    };

    /// <summary>Formats attributes as <c>{dim=[1], keepdim=true}</c> (empty when there are none).</summary>
    public static string FormatAttributes(Attrs attrs)
    {
        var parts = attrs.Select(kv => kv.Key + "=" + FormatAttribute(kv.Value)).ToArray();
        return parts.Length == 0 ? "" : "{" + string.Join(", ", parts) + "}";
    }
}
