using System.Buffers.Binary;

namespace Kiln.Serialization;

/// <summary>
/// The fixed 40-byte header at the start of a <c>.kiln</c> file (all integers little-endian):
/// magic (8), major version (u16), minor version (u16), flags (u32), protobuf length (u64),
/// tensor-section offset (u64), tensor-section length (u64). The protobuf bytes follow at byte 40.
/// </summary>
internal readonly record struct KilnFileHeader(
    ushort Major, ushort Minor, uint Flags, ulong ProtoLength, ulong TensorSectionOffset, ulong TensorSectionLength)
{
    /// <summary>The header's size in bytes; the protobuf message starts here.</summary>
    public const int Size = 40;

    /// <summary>The alignment of the tensor section and of every tensor in it, in bytes.</summary>
    public const int Alignment = 64;

    // PNG-style: a name, then NUL, CR LF and ^Z so that text-mode transfers and `type` on Windows show the damage.
    private static ReadOnlySpan<byte> Magic => "KILN\0\r\n\u001a"u8;

    /// <summary>Writes the header to the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Major);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], ProtoLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], TensorSectionOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], TensorSectionLength);
    }

    /// <summary>The byte where the tensor section must start after <paramref name="protoLength"/> bytes of protobuf.</summary>
    public static ulong SectionOffsetFor(ulong protoLength) => AlignUp(Size + protoLength);

    /// <summary><paramref name="value"/> rounded up to a multiple of <see cref="Alignment"/> (no overflow for values below 2^63).</summary>
    public static ulong AlignUp(ulong value) => (value + (Alignment - 1)) & ~(ulong)(Alignment - 1);

    /// <summary>
    /// Parses and checks a header against the <paramref name="fileLength"/> bytes it heads: magic, a major version
    /// this reader knows, no flags, a bounded protobuf length, and a tensor section that starts right after the
    /// protobuf (aligned) and ends exactly at the end of the file.
    /// </summary>
    /// <exception cref="KilnFormatException">Any of these checks fails.</exception>
    public static KilnFileHeader Read(ReadOnlySpan<byte> bytes, long fileLength)
    {
        if (fileLength < Size || bytes.Length < Size)
            throw KilnFormatException.Field("header", $"the file has {fileLength} bytes, fewer than the {Size}-byte header");
        if (!bytes[..8].SequenceEqual(Magic))
            throw KilnFormatException.Field("header.magic", "not a .kiln file (the first 8 bytes are not \"KILN\\0\\r\\n\\x1a\")");
        var header = new KilnFileHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]));
        header.Check((ulong)fileLength);
        return header;
    }

    private void Check(ulong fileLength)
    {
        var current = KilnFile.FormatVersion;
        if (Major == 0 || Major > current.Major)
            throw KilnFormatException.Field("header.version", $"format version {Major}.{Minor} is not supported; this reader " +
                $"reads major versions 1 to {current.Major} (a newer Kiln wrote the file: upgrade Kiln to load it)");
        if (Flags != 0)
            throw KilnFormatException.Field("header.flags", $"flags 0x{Flags:x8} are set; version {Major}.{Minor} defines none");
        if (ProtoLength > KilnFile.MaxProtoLength)
            throw KilnFormatException.Field("header.protoLength", $"{ProtoLength} bytes exceeds the limit of {KilnFile.MaxProtoLength}");
        if (ProtoLength > fileLength - Size)
            throw KilnFormatException.Field("header.protoLength", $"{ProtoLength} bytes runs past the end of the {fileLength}-byte file");
        ulong expectedOffset = SectionOffsetFor(ProtoLength);
        if (TensorSectionOffset != expectedOffset)
            throw KilnFormatException.Field("header.tensorSectionOffset",
                $"{TensorSectionOffset}, but the section must start at the first {Alignment}-byte boundary after the protobuf message, {expectedOffset}");
        if (TensorSectionOffset > fileLength || TensorSectionLength != fileLength - TensorSectionOffset)
            throw KilnFormatException.Field("header.tensorSectionLength",
                $"the section at {TensorSectionOffset} claims {TensorSectionLength} bytes, but the file has {fileLength} bytes (truncated or extended)");
    }
}
