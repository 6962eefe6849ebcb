using System.Buffers;
using System.Globalization;
using System.Text;

namespace Kiln.Serialization;

/// <summary>
/// Lays out a safetensors file as the reference implementation (huggingface/safetensors) does, byte for byte: tensors
/// ordered by dtype alignment (largest first) then by name, the header as compact JSON with <c>__metadata__</c> first
/// and each tensor's <c>dtype</c>, <c>shape</c> and <c>data_offsets</c>, padded with spaces to a multiple of 8 bytes.
/// </summary>
/// <remarks>
/// The JSON is written here rather than with System.Text.Json's writer because the bytes must equal serde_json's:
/// only quotes, backslashes and control characters are escaped (these with lower-case hex), everything else is raw UTF-8.
/// The reference writes metadata in hash-map order; Kiln sorts it by key, so its output is deterministic.
/// </remarks>
internal static class SafetensorsHeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The tensors in the order their data is written, and the padded header that describes them.</summary>
    /// <exception cref="ArgumentException">A name is <c>__metadata__</c> or not valid UTF-16, or a value is null.</exception>
    internal static (KeyValuePair<string, Tensor>[] Order, byte[] Header) Prepare(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var named = tensors.Select(pair => (Utf8: Encode(pair.Key, "tensor name"), Pair: Checked(pair))).ToArray();
        Array.Sort(named, (a, b) =>
        {
            int byDType = SafetensorsDTypes.WriteRank(b.Pair.Value.DType).CompareTo(SafetensorsDTypes.WriteRank(a.Pair.Value.DType));
            return byDType != 0 ? byDType : a.Utf8.AsSpan().SequenceCompareTo(b.Utf8);
        });

        var json = new ArrayBufferWriter<byte>();
        Ascii(json, "{");
        bool first = true;
        if (metadata is not null)
        {
            Ascii(json, "\"__metadata__\":{");
            var entries = metadata.Select(pair => (Key: Encode(pair.Key, "metadata key"), Value: Encode(pair.Value ?? throw new ArgumentException($"safetensors: metadata value for key '{pair.Key}' is null", nameof(metadata)), "metadata value")))
                .OrderBy(entry => entry.Key, Utf8Order.Instance);
            bool firstEntry = true;
            foreach (var (key, value) in entries)
            {
                if (!firstEntry) Ascii(json, ",");
                firstEntry = false;
                JsonString(json, key);
                Ascii(json, ":");
                JsonString(json, value);
            }
            Ascii(json, "}");
            first = false;
        }
        long offset = 0;
        foreach (var (utf8, pair) in named)
        {
            var tensor = pair.Value;
            long end = offset + tensor.Numel * tensor.DType.ElementSize();
            if (!first) Ascii(json, ",");
            first = false;
            JsonString(json, utf8);
            Ascii(json, $":{{\"dtype\":\"{SafetensorsDTypes.Name(tensor.DType)}\",\"shape\":[{string.Join(",", tensor.Shape.Select(Number))}],\"data_offsets\":[{Number(offset)},{Number(end)}]}}");
            offset = end;
        }
        Ascii(json, "}");
        int padding = (8 - json.WrittenCount % 8) % 8;
        json.GetSpan(padding)[..padding].Fill((byte)' ');
        json.Advance(padding);
        return (named.Select(n => n.Pair).ToArray(), json.WrittenSpan.ToArray());
    }

    private static KeyValuePair<string, Tensor> Checked(KeyValuePair<string, Tensor> pair)
    {
        if (pair.Key == "__metadata__")
            throw new ArgumentException("safetensors: '__metadata__' is reserved for the metadata and cannot name a tensor", "tensors");
        if (pair.Value is null) throw new ArgumentException($"safetensors: tensor '{pair.Key}' is null", "tensors");
        return pair;
    }

    private static byte[] Encode(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text, what);
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"safetensors: the {what} '{text}' is not valid Unicode (a lone surrogate) and has no UTF-8 form", e);
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Ascii(ArrayBufferWriter<byte> json, string text)
    {
        int written = Encoding.ASCII.GetBytes(text, json.GetSpan(text.Length));
        json.Advance(written);
    }

    /// <summary>A JSON string escaped as serde_json escapes it (multi-byte UTF-8 sequences never contain bytes below 0x80).</summary>
    private static void JsonString(ArrayBufferWriter<byte> json, byte[] utf8)
    {
        Ascii(json, "\"");
        foreach (byte b in utf8)
        {
            string? escape = b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\b' => "\\b",
                (byte)'\f' => "\\f",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                < 0x20 => $"\\u{b:x4}",
                _ => null,
            };
            if (escape is not null)
            {
                Ascii(json, escape);
                continue;
            }
            json.GetSpan(1)[0] = b;
            json.Advance(1);
        }
        Ascii(json, "\"");
    }

    /// <summary>Byte-wise order of UTF-8 strings (Rust's <c>String</c> order).</summary>
    private sealed class Utf8Order : IComparer<byte[]>
    {
        internal static readonly Utf8Order Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
