using System.Buffers.Binary;
using System.Text;

namespace Kiln.Serialization;

/// <summary>
/// NumPy's <c>.npy</c> files (<c>np.save</c>/<c>np.load</c>): reads format versions 1.0, 2.0 and 3.0 and writes 1.0
/// (a header of at most <see cref="KilnFile.MaxRank"/> dims always fits it), for little-endian, C-ordered arrays of dtypes <c>&lt;f4 &lt;f8 &lt;f2
/// &lt;i8 &lt;i4 &lt;i2 |i1 |u1 |b1</c>. Reading checks every header field and the data's size before allocating it,
/// and runs no code (object arrays, which NumPy pickles, are refused).
/// </summary>
public static class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // Magic, two version bytes, and the header length: 2 bytes in version 1, 4 in versions 2 and 3.
    private const int PrefixSizeV1 = 10;
    private const int PrefixSizeV2 = 12;

    private const int Alignment = 64;

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> (replacing any file there) as NumPy would save it.</summary>
    /// <exception cref="ArgumentException">
    /// The tensor is bfloat16, which NumPy has no dtype for, or has more than <see cref="KilnFile.MaxRank"/> dims, which
    /// <see cref="Read(string)"/> refuses.
    /// </exception>
    public static void Write(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensor);
        // Checked before the file is created, so a refused tensor leaves no empty file behind.
        CheckWritable(tensor);
        using var file = File.Create(path);
        Write(file, tensor);
    }

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="stream"/>, from its current position.</summary>
    /// <inheritdoc cref="Write(string, Tensor)"/>
    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        CheckWritable(tensor);
        var text = new NpyHeader(tensor.DType, tensor.Shape).Format();
        // A newline ends the header; NumPy then pads it with spaces so the data starts at a multiple of 64 bytes.
        int length = PaddedLength(PrefixSizeV1, text.Length + 1);
        var header = new byte[PrefixSizeV1 + length];
        Magic.CopyTo(header);
        header[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)length);
        header.AsSpan(PrefixSizeV1).Fill((byte)' ');
        Encoding.ASCII.GetBytes(text, header.AsSpan(PrefixSizeV1));
        header[^1] = (byte)'\n';
        stream.Write(header);
        stream.Write(tensor.Contiguous().ByteSpan());
        stream.Flush();
    }

    /// <summary>The array in the <c>.npy</c> file at <paramref name="path"/>, which must end where the array's data ends.</summary>
    /// <exception cref="NpyFormatException">The file is malformed, truncated, goes on after the data, or holds an unsupported dtype or order.</exception>
    public static Tensor Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        var tensor = Read(file);
        if (file.Position != file.Length)
            throw new NpyFormatException($"invalid .npy file: {file.Length - file.Position} bytes follow the array's data");
        return tensor;
    }

    /// <summary>
    /// The array at <paramref name="stream"/>'s current position; the stream is left just after its data, where
    /// <c>np.save</c> may have appended another array.
    /// </summary>
    /// <inheritdoc cref="Read(string)"/>
    public static Tensor Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = NpyHeader.Parse(ReadHeaderText(stream));
        var tensor = Tensor.Empty(header.DType, header.Shape);
        var bytes = tensor.ByteSpan();
        int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
            throw new NpyFormatException($"invalid .npy file: data: the file ends {bytes.Length - got} bytes short of the {bytes.Length} bytes that shape ({string.Join(", ", header.Shape)}) needs");
        if (header.DType == DType.Bool && bytes.IndexOfAnyExcept((byte)0, (byte)1) is int bad and >= 0)
            throw new NpyFormatException($"invalid .npy file: data: bool element {bad} is the byte {bytes[bad]}; bool elements must be 0 or 1");
        return tensor;
    }

    private static void CheckWritable(Tensor tensor)
    {
        _ = NpyHeader.Descr(tensor.DType);
        if (tensor.Dim > KilnFile.MaxRank)
            throw new ArgumentException($"Npy.Write: the tensor has {tensor.Dim} dims; .npy files are read with at most {KilnFile.MaxRank}", nameof(tensor));
    }

    /// <summary>
    /// The header length NumPy writes for <paramref name="length"/> bytes of text and newline after a prefix of
    /// <paramref name="prefix"/> bytes: padded to the next multiple of 64, and by a whole 64 when already aligned.
    /// </summary>
    private static int PaddedLength(int prefix, int length) => length + Alignment - (prefix + length) % Alignment;

    /// <summary>Reads the magic, version and header length, then the header text (Latin-1 in versions 1 and 2, UTF-8 in 3).</summary>
    private static string ReadHeaderText(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[PrefixSizeV2];
        int got = stream.ReadAtLeast(prefix[..PrefixSizeV1], PrefixSizeV1, throwOnEndOfStream: false);
        if (got < Magic.Length || !prefix[..Magic.Length].SequenceEqual(Magic))
            throw NpyFormatException.Field("magic", "the file does not start with \\x93NUMPY: it is not a .npy file");
        if (got < PrefixSizeV1) throw NpyFormatException.Field("header_len", $"the file ends after {got} bytes, inside the prefix");
        byte major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw NpyFormatException.Field("version", $"{major}.{minor} is not supported; versions 1.0, 2.0 and 3.0 are");
        long length = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        if (major > 1)
        {
            if (stream.ReadAtLeast(prefix[PrefixSizeV1..], 2, throwOnEndOfStream: false) < 2)
                throw NpyFormatException.Field("header_len", "the file ends inside the 4-byte header length");
            length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        }
        if (length > NpyHeader.MaxLength)
            throw NpyFormatException.Field("header_len", $"{length} bytes is longer than the {NpyHeader.MaxLength} bytes allowed");
        var header = new byte[length];
        got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
            throw NpyFormatException.Field("header", $"the file ends {header.Length - got} bytes short of the header's {length} bytes");
        try
        {
            return major == 3 ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header) : Encoding.Latin1.GetString(header);
        }
        catch (DecoderFallbackException e)
        {
            throw new NpyFormatException("invalid .npy file: header: not valid UTF-8 (version 3.0)", e);
        }
    }
}
