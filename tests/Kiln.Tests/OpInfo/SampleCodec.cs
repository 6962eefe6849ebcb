using System.Globalization;
using System.Text.Json;
using Kiln.IR;

namespace Kiln.Tests.OpInfo;

/// <summary>
/// The JSON form of sample specs and attributes in the reference files. RefGen links this file to
/// write them; the OpInfo tests read them back and check that they still match the registry, so the
/// two sides cannot drift apart.
/// </summary>
/// <remarks>
/// Attribute values: integers are JSON integers, doubles are JSON numbers that always carry a '.' or
/// an exponent (so Python and C# both read them back as floating point), non-finite doubles are
/// <c>{"float": "inf"}</c>, dtypes are <c>{"dtype": "float32"}</c>, int lists are arrays.
/// </remarks>
internal static class SampleCodec
{
    /// <summary>Writes <c>dtype</c>, <c>shape</c>, <c>layout</c> and <c>domain</c> into the object being written.</summary>
    internal static void WriteSpecProperties(Utf8JsonWriter writer, TensorSpec spec)
    {
        writer.WriteString("dtype", spec.DType.Name());
        writer.WriteStartArray("shape");
        foreach (var d in spec.Shape)
            writer.WriteNumberValue(d);
        writer.WriteEndArray();
        writer.WriteString("layout", Name(spec.Layout));
        writer.WriteString("domain", Name(spec.Domain));
        if (spec.High != 0)
            writer.WriteNumber("high", spec.High);
    }

    /// <summary>Reads a spec written by <see cref="WriteSpecProperties"/>.</summary>
    internal static TensorSpec ReadSpec(JsonElement element) => new(
        DTypes.Parse(element.GetProperty("dtype").GetString()!),
        ReadShape(element.GetProperty("shape")),
        ParseEnum<SampleLayout>(element.GetProperty("layout").GetString()!),
        ParseEnum<SampleDomain>(element.GetProperty("domain").GetString()!),
        element.TryGetProperty("high", out var high) ? high.GetInt64() : 0);

    /// <summary>Reads a JSON array of integers as a shape.</summary>
    internal static long[] ReadShape(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    /// <summary>
    /// Reads an array whose entries are value arrays or <c>null</c> (the <c>grad_outputs</c> and <c>grads</c>
    /// of a reference sample: one entry per output or input, null where there is none).
    /// </summary>
    internal static JsonElement?[] ReadValueLists(JsonElement array) =>
        array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (JsonElement?)null : e).ToArray();

    /// <summary>Writes <paramref name="attrs"/> as a JSON object.</summary>
    /// <exception cref="ArgumentException">An attribute holds a value of an unsupported type.</exception>
    internal static void WriteAttrs(Utf8JsonWriter writer, Attrs attrs)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in attrs)
        {
            writer.WritePropertyName(name);
            WriteAttrValue(writer, name, value);
        }
        writer.WriteEndObject();
    }

    /// <summary>Reads attributes written by <see cref="WriteAttrs"/>.</summary>
    internal static Attrs ReadAttrs(JsonElement element)
    {
        var attrs = new Attrs();
        foreach (var property in element.EnumerateObject())
            attrs.Add(property.Name, ReadAttrValue(property.Name, property.Value));
        return attrs;
    }

    /// <summary>Whether two specs are equal (records compare arrays by reference, so shapes are compared here).</summary>
    internal static bool SameSpec(TensorSpec a, TensorSpec b) =>
        a.DType == b.DType && a.Layout == b.Layout && a.Domain == b.Domain && a.High == b.High && a.Shape.AsSpan().SequenceEqual(b.Shape);

    /// <summary>Whether two attribute sets hold the same names with values of the same type and value.</summary>
    internal static bool SameAttrs(Attrs a, Attrs b)
    {
        var left = a.ToArray();
        var right = b.ToArray();
        if (left.Length != right.Length) return false;
        for (int i = 0; i < left.Length; i++)
        {
            if (left[i].Key != right[i].Key || !SameAttrValue(left[i].Value, right[i].Value)) return false;
        }
        return true;
    }

    /// <summary>
    /// A JSON number token for a finite double: the shortest round-trip form, with ".0" added when it
    /// would otherwise read as an integer (which would also lose the sign of -0).
    /// </summary>
    internal static string FloatToken(double value) => FloatToken(value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Adds ".0" to a shortest-form number that has neither a '.' nor an exponent.</summary>
    internal static string FloatToken(string shortest) =>
        shortest.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? shortest : shortest + ".0";

    /// <summary>The lower-case name used in the files (<c>transposed</c>, <c>nonzero</c>).</summary>
    internal static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    private static TEnum ParseEnum<TEnum>(string name) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(name, ignoreCase: true, out var value) && Name(value) == name
            ? value
            : throw new FormatException($"unknown {typeof(TEnum).Name} '{name}' in a reference file");

    private static void WriteAttrValue(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): writer.WriteRawValue(FloatToken(d)); break;
            case double d:
                writer.WriteStartObject();
                writer.WriteString("float", double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");
                writer.WriteEndObject();
                break;
            case bool b: writer.WriteBooleanValue(b); break;
            case string s: writer.WriteStringValue(s); break;
            case DType t:
                writer.WriteStartObject();
                writer.WriteString("dtype", t.Name());
                writer.WriteEndObject();
                break;
            case long[] list:
                writer.WriteStartArray();
                foreach (var x in list) writer.WriteNumberValue(x);
                writer.WriteEndArray();
                break;
            default: throw new ArgumentException($"attribute '{name}': cannot encode a value of type {value.GetType().Name}");
        }
    }

    private static object? ReadAttrValue(string name, JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Array => ReadShape(e),
        JsonValueKind.Number when e.GetRawText().AsSpan().IndexOfAny('.', 'E', 'e') >= 0 => e.GetDouble(),
        JsonValueKind.Number => e.GetInt64(),
        JsonValueKind.Object when e.TryGetProperty("dtype", out var d) => DTypes.Parse(d.GetString()!),
        JsonValueKind.Object when e.TryGetProperty("float", out var f) => ParseNonFinite(f.GetString()!),
        _ => throw new FormatException($"attribute '{name}': cannot decode {e.GetRawText()}"),
    };

    /// <summary>Parses the string form of a non-finite float: <c>nan</c>, <c>inf</c> or <c>-inf</c>.</summary>
    internal static double ParseNonFinite(string text) => text switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => throw new FormatException($"'{text}' is not nan, inf or -inf"),
    };

    private static bool SameAttrValue(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (long[] x, long[] y) => x.AsSpan().SequenceEqual(y),
        (double x, double y) => x.Equals(y),
        (not null, not null) => a.GetType() == b.GetType() && a.Equals(b),
        _ => false,
    };
}
