using System.Globalization;
using System.Text;

namespace Kiln.Serialization;

/// <summary>
/// The header dictionary of a <c>.npy</c> file, <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>:
/// parsed from the Python-literal subset NumPy writes (strings, True/False, tuples of integers) and formatted as NumPy does.
/// </summary>
internal sealed record NpyHeader(DType DType, long[] Shape)
{
    /// <summary>The longest header read, as NumPy's own <c>max_header_size</c> default: a longer one is refused, not allocated.</summary>
    internal const int MaxLength = 10_000;

    /// <summary>The NumPy type strings read and written, little-endian (or byte-sized) and in C order.</summary>
    private static readonly (string Descr, DType DType)[] Descrs =
    [
        ("<f4", DType.Float32), ("<f8", DType.Float64), ("<f2", DType.Float16), ("<i8", DType.Int64), ("<i4", DType.Int32),
        ("<i2", DType.Int16), ("|i1", DType.Int8), ("|u1", DType.UInt8), ("|b1", DType.Bool),
    ];

    /// <summary>The <c>descr</c> string for <paramref name="dtype"/>.</summary>
    /// <exception cref="ArgumentException">NumPy has no such dtype (bfloat16).</exception>
    internal static string Descr(DType dtype) => Descrs.FirstOrDefault(d => d.DType == dtype).Descr ?? throw new ArgumentException(
        $"Npy.Write: NumPy has no {dtype.ToString().ToLowerInvariant()} dtype; convert the tensor first (tensor.To(DType.Float32))", nameof(dtype));

    /// <summary>
    /// The header text as NumPy writes it, <c>{'descr': ..., 'fortran_order': False, 'shape': (...), }</c>, followed
    /// by the spaces NumPy leaves so the first dim can grow to 21 digits in place.
    /// </summary>
    internal string Format()
    {
        const int GrowthAxisMaxDigits = 21;
        var dims = Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
        var text = $"{{'descr': '{Descr(DType)}', 'fortran_order': False, 'shape': ({string.Join(", ", dims)}{(dims.Length == 1 ? "," : "")}), }}";
        return dims.Length == 0 ? text : text + new string(' ', GrowthAxisMaxDigits - dims[0].Length);
    }

    /// <summary>Parses <paramref name="text"/>, checking every field and that the data's size is bounded.</summary>
    /// <exception cref="NpyFormatException">The text is not a header dictionary, or a field is missing, unknown, repeated or invalid.</exception>
    internal static NpyHeader Parse(string text)
    {
        var parser = new Parser(text);
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        parser.Expect('{');
        while (!parser.TryTake('}'))
        {
            string key = parser.String("a key");
            parser.Expect(':');
            switch (key)
            {
                case "descr" when descr is null: descr = parser.String("descr"); break;
                case "fortran_order" when fortran is null: fortran = parser.Boolean(); break;
                case "shape" when shape is null: shape = parser.Tuple(); break;
                case "descr" or "fortran_order" or "shape": throw NpyFormatException.Field(key, "appears twice in the header");
                default: throw NpyFormatException.Field("header", $"unknown key '{key}'; a header has exactly 'descr', 'fortran_order' and 'shape'");
            }
            if (parser.TryTake(',')) continue;
            parser.Expect('}', "',' or '}'");
            break;
        }
        parser.End();
        if (descr is null) throw NpyFormatException.Field("descr", "missing from the header");
        if (fortran is null) throw NpyFormatException.Field("fortran_order", "missing from the header");
        if (shape is null) throw NpyFormatException.Field("shape", "missing from the header");
        if (fortran.Value) throw NpyFormatException.Field("fortran_order", "True (column-major data) is not supported; save a C-ordered array (np.ascontiguousarray)");
        var dtype = Descrs.FirstOrDefault(d => d.Descr == descr).DType;
        if (Descrs.All(d => d.Descr != descr))
            throw NpyFormatException.Field("descr", $"'{descr}' is not supported; the supported dtypes are {string.Join(", ", Descrs.Select(d => d.Descr))} (little-endian)");
        CheckSize(shape, dtype.ElementSize());
        return new NpyHeader(dtype, shape);
    }

    private static void CheckSize(long[] shape, int elementSize)
    {
        if (shape.Length > KilnFile.MaxRank) throw NpyFormatException.Field("shape", $"has {shape.Length} dims; at most {KilnFile.MaxRank} are supported");
        if (shape.Any(d => d < 0)) throw NpyFormatException.Field("shape", $"({string.Join(", ", shape)}) has a negative dim");
        if (shape.Contains(0)) return;
        long bytes = elementSize;
        foreach (long d in shape)
        {
            // Checked by division, so a product like 2^62 is refused without overflowing.
            if (bytes > Array.MaxLength / d)
                throw NpyFormatException.Field("shape", $"({string.Join(", ", shape)}) needs more than {Array.MaxLength} bytes of data");
            bytes *= d;
        }
    }

    /// <summary>A cursor over the header text, skipping spaces between tokens.</summary>
    private sealed class Parser(string text)
    {
        private int at;

        internal void Expect(char c, string? what = null)
        {
            if (!TryTake(c)) throw Unexpected(what ?? $"'{c}'");
        }

        internal bool TryTake(char c)
        {
            SkipSpaces();
            if (at < text.Length && text[at] == c)
            {
                at++;
                return true;
            }
            return false;
        }

        internal void End()
        {
            SkipSpaces();
            if (at != text.Length) throw Unexpected("the end of the header");
        }

        internal string String(string field)
        {
            SkipSpaces();
            char quote = at < text.Length ? text[at] : '\0';
            if (quote is not ('\'' or '"')) throw NpyFormatException.Field(field, $"expected a quoted string at offset {at} of the header");
            int close = text.IndexOf(quote, at + 1);
            if (close < 0) throw NpyFormatException.Field(field, $"the string at offset {at} of the header is not closed");
            var value = text[(at + 1)..close];
            if (value.Contains('\\')) throw NpyFormatException.Field(field, "escapes in strings are not supported");
            at = close + 1;
            return value;
        }

        internal bool Boolean()
        {
            SkipSpaces();
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, at, word, 0, word.Length) == 0)
                {
                    at += word.Length;
                    return value;
                }
            }
            throw NpyFormatException.Field("fortran_order", $"expected True or False at offset {at} of the header");
        }

        internal long[] Tuple()
        {
            if (!TryTake('(')) throw NpyFormatException.Field("shape", $"expected a tuple at offset {at} of the header");
            var dims = new List<long>();
            while (!TryTake(')'))
            {
                if (dims.Count > KilnFile.MaxRank) throw NpyFormatException.Field("shape", $"has more than {KilnFile.MaxRank} dims");
                dims.Add(Integer());
                if (TryTake(',')) continue;
                if (!TryTake(')')) throw NpyFormatException.Field("shape", $"expected ',' or ')' at offset {at} of the header");
                // (3) is the integer 3 in Python, not a tuple.
                if (dims.Count == 1) throw NpyFormatException.Field("shape", "a one-dim shape needs a trailing comma, (n,)");
                break;
            }
            return [.. dims];
        }

        private long Integer()
        {
            SkipSpaces();
            int start = at;
            if (at < text.Length && text[at] == '-') at++;
            while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
            // Python 2 era writers put an L after longs.
            var digits = text[start..at];
            if (at < text.Length && text[at] == 'L') at++;
            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value
                : throw NpyFormatException.Field("shape", $"'{digits}' at offset {start} of the header is not a dim (a 64-bit integer)");
        }

        private void SkipSpaces()
        {
            while (at < text.Length && text[at] is ' ' or '\t' or '\n' or '\r') at++;
        }

        private NpyFormatException Unexpected(string expected) =>
            NpyFormatException.Field("header", $"expected {expected} at offset {at} of '{Clip(text)}'");

        private static string Clip(string s) => s.Length <= 200 ? s : new StringBuilder(s, 0, 200, 203).Append("...").ToString();
    }
}
