using Google.Protobuf;
using Kiln.IR;
using Kiln.Serialization.Proto;

namespace Kiln.Serialization;

/// <summary>
/// Reads a <c>.kiln</c> file from a <see cref="KilnByteSource"/>. Every field is checked before it is used and before
/// anything sized by it is allocated: first the header, then the protobuf message, the graphs (parsed and verified),
/// and the whole tensor table (dtypes, shapes, ranges, overlaps); only then are tensor bytes copied.
/// </summary>
internal static class KilnFileReader
{

    /// <summary>The contents of the file in <paramref name="source"/>.</summary>
    /// <exception cref="KilnFormatException">The file is malformed.</exception>
    public static KilnFileContents Read(KilnByteSource source)
    {
        Span<byte> headerBytes = stackalloc byte[KilnFileHeader.Size];
        if (source.Length >= KilnFileHeader.Size) source.Read(0, headerBytes);
        var header = KilnFileHeader.Read(headerBytes, source.Length);
        var model = ReadModel(source, header);
        var (graphs, entry) = ReadGraphs(model);
        var layouts = TensorLayouts(model, header.TensorSectionLength);
        var tensors = new OrderedDictionary<string, KilnTensor>(layouts.Length, StringComparer.Ordinal);
        foreach (var layout in layouts)
            tensors.Add(layout.Name, new KilnTensor(ReadTensor(source, header, layout), layout.Kind));
        return new KilnFileContents(graphs, entry, tensors, new Dictionary<string, string>(model.Metadata, StringComparer.Ordinal),
            new KilnProducer(model.Producer.Name, model.Producer.Version))
        {
            FormatVersion = new Version(header.Major, header.Minor),
            Kernels = model.Kernels is null ? null : KilnKernelEntries.FromProto(model.Kernels),
        };
    }

    private static KilnModel ReadModel(KilnByteSource source, KilnFileHeader header)
    {
        // ProtoLength is at most KilnFile.MaxProtoLength and inside the file: the header checked both.
        var proto = new byte[header.ProtoLength];
        source.Read(KilnFileHeader.Size, proto);
        long protoEnd = KilnFileHeader.Size + (long)header.ProtoLength;
        Span<byte> padding = stackalloc byte[KilnFileHeader.Alignment];
        padding = padding[..(int)((long)header.TensorSectionOffset - protoEnd)];
        source.Read(protoEnd, padding);
        if (padding.ContainsAnyExcept((byte)0))
            throw KilnFormatException.Field("padding", $"the bytes between the protobuf message (ends at {protoEnd}) and the tensor section are not zero");
        KilnModel model;
        try
        {
            model = KilnModel.Parser.ParseFrom(proto);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KilnFormatException($"invalid .kiln file: model: the protobuf message is malformed: {e.Message}", e);
        }
        if (model.FormatVersion != header.Major)
            throw KilnFormatException.Field("model.formatVersion", $"{model.FormatVersion} differs from the header's major version {header.Major}");
        if (model.Producer is null || model.Producer.Name.Length == 0)
            throw KilnFormatException.Field("model.producer", "missing (every file names the program that wrote it)");
        return model;
    }

    private static (GraphModule Graphs, string Entry) ReadGraphs(KilnModel model)
    {
        if (model.Graphs.Count == 0 || model.Graphs.Count > KilnFile.MaxGraphs)
            throw KilnFormatException.Field("model.graphs", $"{model.Graphs.Count} graphs; a file holds 1 to {KilnFile.MaxGraphs}");
        var entries = model.Graphs.Where(g => g.Entry).Select(g => g.Name).ToList();
        if (entries.Count != 1)
            throw KilnFormatException.Field("model.graphs", $"{entries.Count} graphs are marked as the entry; exactly one must be");
        GraphModule module;
        try
        {
            module = KirParser.ParseModule(string.Join("\n", model.Graphs.Select(g => g.Kir)));
        }
        catch (Exception e) when (e is KirParseException or IrException)
        {
            throw new KilnFormatException($"invalid .kiln file: model.graphs: the .kir text does not parse and verify: {e.Message}", e);
        }
        if (module.Graphs.Count != model.Graphs.Count)
            throw KilnFormatException.Field("model.graphs", $"{model.Graphs.Count} entries hold {module.Graphs.Count} graphs; each entry holds exactly one");
        for (int i = 0; i < module.Graphs.Count; i++)
        {
            if (module.Graphs[i].Name != model.Graphs[i].Name)
                throw KilnFormatException.Field($"model.graphs[{i}].name", $"'{model.Graphs[i].Name}' but its .kir text defines @{module.Graphs[i].Name}");
        }
        return (module, entries[0]);
    }

    private sealed record TensorLayout(string Name, DType DType, long[] Shape, long Offset, long Length, KilnTensorKind Kind);

    private static TensorLayout[] TensorLayouts(KilnModel model, ulong sectionLength)
    {
        if (model.Tensors.Count > KilnFile.MaxTensors)
            throw KilnFormatException.Field("model.tensors", $"{model.Tensors.Count} tensors exceeds the limit of {KilnFile.MaxTensors}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var layouts = new TensorLayout[model.Tensors.Count];
        for (int i = 0; i < layouts.Length; i++)
        {
            var entry = model.Tensors[i];
            if (entry.Name.Length == 0 || !names.Add(entry.Name))
                throw KilnFormatException.Field($"tensors[{i}].name", entry.Name.Length == 0 ? "empty" : $"'{entry.Name}' is used twice");
            layouts[i] = CheckTensor(i, entry, sectionLength);
        }
        var byOffset = layouts.Where(l => l.Length > 0).OrderBy(l => l.Offset).ToArray();
        for (int i = 1; i < byOffset.Length; i++)
        {
            var (before, after) = (byOffset[i - 1], byOffset[i]);
            if (before.Offset + before.Length > after.Offset)
                throw KilnFormatException.Field($"tensors['{after.Name}'].offset",
                    $"{after.Offset} overlaps tensor '{before.Name}' at [{before.Offset}, {before.Offset + before.Length})");
        }
        return layouts;
    }

    private static TensorLayout CheckTensor(int index, TensorEntry entry, ulong sectionLength)
    {
        string field = $"tensors['{entry.Name}']";
        DType? found = DTypes.All.Select(d => (DType?)d).FirstOrDefault(d => d!.Value.Name() == entry.Dtype);
        if (found is not DType dtype)
            throw KilnFormatException.Field($"{field}.dtype", $"unknown dtype '{entry.Dtype}'; expected one of {string.Join(", ", DTypes.All.Select(d => d.Name()))}");
        if (entry.Shape.Count > KilnFile.MaxRank)
            throw KilnFormatException.Field($"{field}.shape", $"rank {entry.Shape.Count} exceeds the limit of {KilnFile.MaxRank}");
        // Bytes so far, checked against the largest tensor a byte[] can hold at every step so nothing overflows.
        long bytes = dtype.ElementSize();
        foreach (long dim in entry.Shape)
        {
            if (dim < 0)
                throw KilnFormatException.Field($"{field}.shape", $"[{string.Join(", ", entry.Shape)}] has a negative dimension");
            if (dim != 0 && bytes > KilnFile.MaxTensorBytes / dim)
                throw KilnFormatException.Field($"{field}.shape",
                    $"[{string.Join(", ", entry.Shape)}] of {dtype.Name()} needs more than the {KilnFile.MaxTensorBytes}-byte limit per tensor");
            bytes *= dim;
        }
        if (entry.Length != (ulong)bytes)
            throw KilnFormatException.Field($"{field}.length", $"{entry.Length} bytes, but shape [{string.Join(", ", entry.Shape)}] of {dtype.Name()} needs {bytes}");
        if (entry.Offset % KilnFileHeader.Alignment != 0)
            throw KilnFormatException.Field($"{field}.offset", $"{entry.Offset} is not a multiple of {KilnFileHeader.Alignment}");
        if (entry.Offset > sectionLength || entry.Length > sectionLength - entry.Offset)
            throw KilnFormatException.Field($"{field}.offset", $"[{entry.Offset}, {entry.Offset} + {entry.Length}) runs past the {sectionLength}-byte tensor section");
        var kind = entry.Kind switch
        {
            TensorKind.Parameter => KilnTensorKind.Parameter,
            TensorKind.Buffer => KilnTensorKind.Buffer,
            TensorKind.Constant => KilnTensorKind.Constant,
            _ => throw KilnFormatException.Field($"{field}.kind", $"{entry.Kind} (tensors[{index}]) is not parameter, buffer or constant"),
        };
        return new TensorLayout(entry.Name, dtype, [.. entry.Shape], (long)entry.Offset, bytes, kind);
    }

    // A copy out of the mapped view for now: Tensor storage is a managed byte[], not a view of the file.
    private static Tensor ReadTensor(KilnByteSource source, KilnFileHeader header, TensorLayout layout)
    {
        var tensor = Tensor.Empty(layout.DType, layout.Shape);
        var bytes = tensor.ByteSpan();
        source.Read((long)header.TensorSectionOffset + layout.Offset, bytes);
        if (layout.DType == DType.Bool && bytes.ContainsAnyExcept((byte)0, (byte)1))
            throw KilnFormatException.Field($"tensors['{layout.Name}']", "a bool tensor holds a byte other than 0 or 1");
        return tensor;
    }
}
