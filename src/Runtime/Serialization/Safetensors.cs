using System.Buffers.Binary;

namespace Kiln.Serialization;

/// <summary>The tensors and the metadata of a safetensors file.</summary>
/// <param name="Tensors">The tensors by name, in the order of their data in the file.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings, or null when the file has none.</param>
public sealed record SafetensorsContents(OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>
/// Reads and writes the safetensors format of Hugging Face (<c>safetensors.torch.save_file</c> / <c>load_file</c>):
/// an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, then the
/// raw little-endian tensor data. Files Kiln writes are byte-identical to the reference implementation's for the same
/// tensors (metadata keys are sorted, where the reference's order is arbitrary).
/// </summary>
/// <remarks>
/// Loading checks everything before it is used (header size, JSON, dtypes, shapes against byte ranges, ranges that tile
/// the data section) and turns any malformed input into a <see cref="SafetensorsFormatException"/>; it never runs code.
/// </remarks>
public static class Safetensors
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderSize = 100_000_000;

    private const int LengthPrefixSize = 8;

    /// <summary>Writes <paramref name="tensors"/> to a new file at <paramref name="path"/> (replacing any file there).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="tensors">The tensors by name; non-contiguous tensors are written in row-major order.</param>
    /// <param name="metadata">Free-form strings stored as <c>__metadata__</c>; none when null.</param>
    /// <exception cref="ArgumentException">A name is <c>__metadata__</c> or not valid Unicode, or a tensor is null.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        // The layout is prepared (and checked) before the file is created, so bad arguments leave no file behind.
        var (order, header) = SafetensorsHeaderWriter.Prepare(tensors, metadata);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(file, order, header);
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>, from its current position.</summary>
    /// <inheritdoc cref="Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var (order, header) = SafetensorsHeaderWriter.Prepare(tensors, metadata);
        Write(stream, order, header);
    }

    /// <summary>The tensors of the safetensors file at <paramref name="path"/>, by name in file order.</summary>
    /// <exception cref="SafetensorsFormatException">The file is malformed.</exception>
    public static OrderedDictionary<string, Tensor> Load(string path) => LoadWithMetadata(path).Tensors;

    /// <summary>The tensors of the safetensors data in <paramref name="stream"/>, read from its current position to its end.</summary>
    /// <exception cref="SafetensorsFormatException">The data is malformed.</exception>
    public static OrderedDictionary<string, Tensor> Load(Stream stream) => LoadWithMetadata(stream).Tensors;

    /// <summary>The tensors and metadata of the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">The file is malformed.</exception>
    public static SafetensorsContents LoadWithMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        return LoadWithMetadata(file);
    }

    /// <summary>
    /// The tensors and metadata of the safetensors data in <paramref name="stream"/>, from its current position to its
    /// end. A stream that can seek is checked against its length before anything large is allocated.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The data is malformed.</exception>
    public static SafetensorsContents LoadWithMetadata(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        int got = stream.ReadAtLeast(prefix, LengthPrefixSize, throwOnEndOfStream: false);
        if (got < LengthPrefixSize)
            throw new SafetensorsFormatException($"safetensors: the data is {got} bytes long, too short for the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderSize)
            throw new SafetensorsFormatException($"safetensors: header length {headerLength} exceeds the {MaxHeaderSize}-byte limit");
        if (available is { } total && (long)headerLength > total - LengthPrefixSize)
            throw new SafetensorsFormatException($"safetensors: header length {headerLength} exceeds the {total - LengthPrefixSize} bytes that follow it");
        var header = ReadHeader(stream, (int)headerLength);
        long? dataLength = available - LengthPrefixSize - (long)headerLength;
        var (entries, metadata) = SafetensorsHeaderReader.Parse(header, dataLength);
        var tensors = new OrderedDictionary<string, Tensor>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries) tensors.Add(entry.Name, ReadTensor(stream, entry));
        if (dataLength is null && stream.ReadByte() >= 0)
            throw new SafetensorsFormatException($"safetensors: the data section goes on after the last tensor's data_offsets end ({(entries.Length == 0 ? 0 : entries[^1].End)} bytes)");
        return new SafetensorsContents(tensors, metadata);
    }

    private static void Write(Stream stream, KeyValuePair<string, Tensor>[] order, byte[] header)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (_, tensor) in order) stream.Write(tensor.Contiguous().ByteSpan());
        stream.Flush();
    }

    /// <summary>The header bytes, read in growing chunks so that a length promised by a truncated stream is not allocated up front.</summary>
    private static byte[] ReadHeader(Stream stream, int length)
    {
        const int FirstChunk = 1 << 16;
        var header = new byte[Math.Min(length, FirstChunk)];
        int filled = 0;
        while (true)
        {
            int got = stream.ReadAtLeast(header.AsSpan(filled), header.Length - filled, throwOnEndOfStream: false);
            filled += got;
            if (filled < header.Length)
                throw new SafetensorsFormatException($"safetensors: the data ends inside the header: header length {length}, but only {filled} bytes follow");
            if (filled == length) return header;
            Array.Resize(ref header, (int)Math.Min(length, 2L * header.Length));
        }
    }

    private static Tensor ReadTensor(Stream stream, SafetensorsEntry entry)
    {
        var tensor = Tensor.Empty(entry.DType, entry.Shape);
        var bytes = tensor.ByteSpan();
        int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
            throw new SafetensorsFormatException($"safetensors: tensor '{entry.Name}': the data ends {bytes.Length - got} bytes short of its data_offsets [{entry.Begin}, {entry.End}]");
        if (entry.DType == DType.Bool)
        {
            int bad = bytes.IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0)
                throw new SafetensorsFormatException($"safetensors: tensor '{entry.Name}': BOOL element {bad} is the byte {bytes[bad]}; bool elements must be 0 or 1");
        }
        return tensor;
    }
}
