using Google.Protobuf;
using Kiln.IR;
using Kiln.Serialization.Proto;

namespace Kiln.Serialization;

/// <summary>
/// Reads and writes <c>.kiln</c> files (docs/kiln-format.md): a fixed header, a Protocol Buffers message
/// (<c>kiln.proto</c>) holding the graphs as <c>.kir</c> text, the tensor table, metadata and producer, then a
/// 64-byte-aligned section of raw little-endian tensor bytes.
/// </summary>
/// <remarks>
/// Loading never runs code: graphs are text that is parsed and verified, tensors are bytes. Every offset, length,
/// count, dtype and shape is checked before it is used, and any malformed input gives a <see cref="KilnFormatException"/>.
/// </remarks>
public static class KilnFile
{
    /// <summary>The format version this writer writes; a reader reads every version with the same or an older major.</summary>
    public static Version FormatVersion { get; } = new(1, 1);

    /// <summary>The largest protobuf message read, in bytes.</summary>
    public const ulong MaxProtoLength = 64 << 20;

    /// <summary>The most graphs a file may hold.</summary>
    public const int MaxGraphs = 4096;

    /// <summary>The most tensors a file may hold.</summary>
    public const int MaxTensors = 1 << 20;

    /// <summary>The largest rank of a stored tensor.</summary>
    public const int MaxRank = 64;

    /// <summary>The largest tensor, in bytes: what one managed tensor storage can hold.</summary>
    public static long MaxTensorBytes => Array.MaxLength;

    /// <summary>Writes <paramref name="contents"/> to <paramref name="stream"/> from its current position.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="contents">The graphs, tensors, metadata and producer to store; its <c>FormatVersion</c> is ignored.</param>
    /// <exception cref="ArgumentException">The entry graph is not in the module, the producer or a tensor has no name, or the file would exceed a limit.</exception>
    public static void Write(Stream stream, KilnFileContents contents)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(contents);
        WriteLayout(stream, Layout(contents));
    }

    /// <summary>Writes <paramref name="contents"/> to a new file at <paramref name="path"/> (replacing any file there).</summary>
    /// <inheritdoc cref="Write(Stream, KilnFileContents)"/>
    public static void Write(string path, KilnFileContents contents)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(contents);
        // Laid out (and checked) before the file is created, so bad arguments leave no file behind.
        var layout = Layout(contents);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        WriteLayout(file, layout);
    }

    /// <summary>
    /// The contents of the <c>.kiln</c> data in <paramref name="stream"/>, from its current position to its end.
    /// A stream that cannot seek is first copied into memory.
    /// </summary>
    /// <exception cref="KilnFormatException">The data is malformed, truncated, or of a newer major format version.</exception>
    public static KilnFileContents Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek) return KilnFileReader.Read(new KilnByteSource.FromStream(stream));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return KilnFileReader.Read(new KilnByteSource.FromStream(copy));
    }

    /// <summary>
    /// The contents of the <c>.kiln</c> file at <paramref name="path"/>, read through a memory-mapped view. Tensor bytes
    /// are copied from the view into each tensor's own storage.
    /// </summary>
    /// <inheritdoc cref="Read(Stream)"/>
    public static KilnFileContents Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        // An empty file cannot be mapped; it is simply too short to hold a header.
        if (file.Length < KilnFileHeader.Size) return Read(file);
        using var source = new KilnByteSource.Mapped(file);
        return KilnFileReader.Read(source);
    }

    private sealed record FileLayout(KilnModel Model, List<Tensor> Tensors, ulong SectionLength);

    private static void WriteLayout(Stream stream, FileLayout layout)
    {
        var (model, tensors, sectionLength) = layout;
        byte[] proto = model.ToByteArray();
        var header = new KilnFileHeader((ushort)FormatVersion.Major, (ushort)FormatVersion.Minor, 0, (ulong)proto.Length,
            KilnFileHeader.SectionOffsetFor((ulong)proto.Length), sectionLength);
        Span<byte> headerBytes = stackalloc byte[KilnFileHeader.Size];
        header.WriteTo(headerBytes);
        stream.Write(headerBytes);
        stream.Write(proto);
        WriteZeros(stream, header.TensorSectionOffset - (ulong)(KilnFileHeader.Size + proto.Length));
        ulong position = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            WriteZeros(stream, model.Tensors[i].Offset - position);
            stream.Write(tensors[i].ByteSpan());
            position = model.Tensors[i].Offset + model.Tensors[i].Length;
        }
    }

    private static FileLayout Layout(KilnFileContents contents)
    {
        if (contents.Graphs.Find(contents.EntryGraph) is null)
            throw new ArgumentException($"the entry graph @{contents.EntryGraph} is not in the module", nameof(contents));
        if (contents.Graphs.Graphs.Count > MaxGraphs || contents.Tensors.Count > MaxTensors)
            throw new ArgumentException($"{contents.Graphs.Graphs.Count} graphs and {contents.Tensors.Count} tensors; " +
                $"a file holds at most {MaxGraphs} graphs and {MaxTensors} tensors", nameof(contents));
        if (string.IsNullOrEmpty(contents.Producer.Name))
            throw new ArgumentException("the producer has no name", nameof(contents));
        var model = new KilnModel
        {
            FormatVersion = (uint)FormatVersion.Major,
            Producer = new Producer { Name = contents.Producer.Name, Version = contents.Producer.Version },
        };
        foreach (var (key, value) in contents.Metadata) model.Metadata.Add(key, value);
        if (contents.Kernels is { } kernels) model.Kernels = KilnKernelEntries.ToProto(kernels);
        foreach (var graph in contents.Graphs.Graphs)
            model.Graphs.Add(new GraphEntry { Name = graph.Name, Kir = KirPrinter.Print(graph), Entry = graph.Name == contents.EntryGraph });
        var tensors = new List<Tensor>(contents.Tensors.Count);
        ulong end = 0;
        foreach (var (name, stored) in contents.Tensors)
        {
            if (name.Length == 0) throw new ArgumentException("a tensor has an empty name", nameof(contents));
            var tensor = stored.Tensor.Contiguous();
            ulong offset = KilnFileHeader.AlignUp(end);
            end = offset + (ulong)(tensor.Numel * tensor.DType.ElementSize());
            tensors.Add(tensor);
            var entry = new TensorEntry { Name = name, Dtype = tensor.DType.Name(), Offset = offset, Length = end - offset, Kind = ToProto(stored.Kind) };
            entry.Shape.Add(tensor.Shape);
            model.Tensors.Add(entry);
        }
        if ((ulong)model.CalculateSize() > MaxProtoLength)
            throw new ArgumentException($"the metadata message needs {model.CalculateSize()} bytes, more than the limit of {MaxProtoLength}", nameof(contents));
        return new FileLayout(model, tensors, end);
    }

    private static TensorKind ToProto(KilnTensorKind kind) => kind switch
    {
        KilnTensorKind.Parameter => TensorKind.Parameter,
        KilnTensorKind.Buffer => TensorKind.Buffer,
        KilnTensorKind.Constant => TensorKind.Constant,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown tensor kind"),
    };

    private static void WriteZeros(Stream stream, ulong count)
    {
        Span<byte> zeros = stackalloc byte[KilnFileHeader.Alignment];
        zeros.Clear();
        stream.Write(zeros[..(int)count]);
    }
}
