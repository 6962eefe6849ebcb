using System.Text.Json;
using System.Text.Unicode;

namespace Kiln.Serialization;

/// <summary>One tensor described by a safetensors header: its data lies at [Begin, End) of the data section.</summary>
internal sealed record SafetensorsEntry(string Name, DType DType, long[] Shape, long Begin, long End);

/// <summary>
/// Parses and checks a safetensors header: well-formed JSON, an object of tensor entries and an optional
/// <c>__metadata__</c> object of strings, no name twice, known dtypes, shapes whose size matches the data offsets,
/// and offsets that cover the data section exactly, without gaps or overlaps (as the reference reader requires).
/// Fields of a tensor entry other than <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> are ignored, as the reference does.
/// </summary>
internal static class SafetensorsHeaderReader
{
    /// <summary>The entries in data order, and the metadata (null when the header has none).</summary>
    /// <param name="header">The header bytes (JSON, maybe followed by padding spaces).</param>
    /// <param name="dataLength">The size of the data section, when it is known before reading it.</param>
    /// <exception cref="SafetensorsFormatException">Anything is wrong; the message says what.</exception>
    internal static (SafetensorsEntry[] Entries, Dictionary<string, string>? Metadata) Parse(byte[] header, long? dataLength)
    {
        // JsonDocument checks the UTF-8 of strings only when they are read, and then not with a format error.
        if (!Utf8.IsValid(header))
            throw new SafetensorsFormatException("safetensors: the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException($"safetensors: the header is not well-formed JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException($"safetensors: the header must be a JSON object, got {Kind(root)}");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafetensorsEntry>();
            Dictionary<string, string>? metadata = null;
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsFormatException($"safetensors: the header names '{property.Name}' twice");
                if (property.Name == "__metadata__")
                    metadata = Metadata(property.Value);
                else
                    entries.Add(Entry(property.Name, property.Value, dataLength));
            }
            var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
            CheckCoverage(ordered, dataLength);
            return (ordered, metadata);
        }
    }

    private static Dictionary<string, string> Metadata(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException($"safetensors: '__metadata__' must be an object of strings, got {Kind(value)}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException($"safetensors: '__metadata__' entry '{item.Name}' must be a string, got {Kind(item.Value)}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafetensorsFormatException($"safetensors: '__metadata__' names '{item.Name}' twice");
        }
        return metadata;
    }

    private static SafetensorsEntry Entry(string name, JsonElement value, long? dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': expected an object with dtype, shape and data_offsets, got {Kind(value)}");
        var dtypeField = Field(name, value, "dtype");
        if (dtypeField.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': field 'dtype' must be a string, got {Kind(dtypeField)}");
        var dtype = SafetensorsDTypes.Parse(dtypeField.GetString()!, name);
        var shape = Integers(name, Field(name, value, "shape"), "shape", length: null);
        var offsets = Integers(name, Field(name, value, "data_offsets"), "data_offsets", length: 2);
        long begin = offsets[0], end = offsets[1];
        if (end < begin)
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        if (dataLength is { } length && end > length)
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': data_offsets [{begin}, {end}] go past the end of the {length}-byte data section");
        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (n, d) => n * d) * dtype.ElementSize());
        }
        catch (OverflowException e)
        {
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': shape {Shapes.Format(shape)} has more elements than fit in 64 bits", e);
        }
        if (bytes != end - begin)
            throw new SafetensorsFormatException(
                $"safetensors: tensor '{name}': shape {Shapes.Format(shape)} of {SafetensorsDTypes.Name(dtype)} needs {bytes} bytes, but data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>Checks that the entries (sorted by offset) tile [0, data length) exactly; returns nothing, throws on a gap, an overlap or a short cover.</summary>
    private static void CheckCoverage(SafetensorsEntry[] ordered, long? dataLength)
    {
        long covered = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in ordered)
        {
            if (entry.Begin < covered)
                throw new SafetensorsFormatException(
                    $"safetensors: tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
            if (entry.Begin > covered)
                throw new SafetensorsFormatException(
                    $"safetensors: tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] leave a gap: bytes [{covered}, {entry.Begin}) of the data section belong to no tensor");
            covered = entry.End;
            previous = entry;
        }
        if (dataLength is { } length && covered != length)
            throw new SafetensorsFormatException(
                $"safetensors: the tensors' data_offsets cover {covered} bytes, but the data section holds {length}: bytes [{covered}, {length}) belong to no tensor");
    }

    private static JsonElement Field(string name, JsonElement entry, string field) =>
        entry.TryGetProperty(field, out var value) ? value
            : throw new SafetensorsFormatException($"safetensors: tensor '{name}': field '{field}' is missing");

    private static long[] Integers(string name, JsonElement value, string field, int? length)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': field '{field}' must be an array of non-negative integers, got {Kind(value)}");
        int count = value.GetArrayLength();
        if (length is { } expected && count != expected)
            throw new SafetensorsFormatException($"safetensors: tensor '{name}': field '{field}' must hold {expected} integers, got {count}");
        var result = new long[count];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long n) || n < 0)
                throw new SafetensorsFormatException($"safetensors: tensor '{name}': field '{field}' item {i} must be a non-negative 64-bit integer, got {item.GetRawText()}");
            result[i++] = n;
        }
        return result;
    }

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
