using Kiln.IR;
using Kiln.Serialization;

namespace Kiln.Tests.KilnFormat;

/// <summary>Writing a <c>.kiln</c> file and reading it back gives the same graphs, tensors (bitwise) and metadata.</summary>
public class KilnFileRoundTripTests
{
    [Fact]
    public void A_stream_round_trip_keeps_graphs_tensors_and_metadata()
    {
        var written = KilnFiles.Sample();
        AssertSame(written, KilnFiles.Read(KilnFiles.Bytes(written)));
    }

    [Fact]
    public void A_file_round_trip_reads_through_a_memory_mapped_view()
    {
        var written = KilnFiles.Sample();
        string path = Path.Combine(Path.GetTempPath(), $"kiln-roundtrip-{Guid.NewGuid():N}.kiln");
        try
        {
            KilnFile.Write(path, written);
            AssertSame(written, KilnFile.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_module_of_calling_graphs_keeps_its_order_and_entry()
    {
        var graphs = KirParser.ParseModule(KilnFiles.CallingModule);
        var written = new KilnFileContents(graphs, "m", new(), new Dictionary<string, string>(), KilnProducer.Current);
        var read = KilnFiles.Read(KilnFiles.Bytes(written));
        Assert.Equal(["id", "m"], read.Graphs.Graphs.Select(g => g.Name));
        Assert.Equal("m", read.EntryGraph);
        Assert.Equal(KilnProducer.Current, read.Producer);
        Assert.Empty(read.Tensors);
    }

    [Fact]
    public void A_non_contiguous_tensor_is_written_in_row_major_order()
    {
        var transposed = Tensor.Arange(6).Reshape(2, 3).T;
        var written = KilnFiles.Sample() with { Tensors = new() { ["t"] = new(transposed, KilnTensorKind.Buffer) } };
        var read = KilnFiles.Read(KilnFiles.Bytes(written)).Tensors["t"].Tensor;
        Assert.Equal([3L, 2], read.Shape);
        Assert.Equal([0L, 3, 1, 4, 2, 5], read.ToArray<long>());
    }

    [Fact]
    public void The_tensor_section_and_every_tensor_are_64_byte_aligned()
    {
        var bytes = KilnFiles.Bytes(KilnFiles.Sample());
        ulong sectionOffset = BitConverter.ToUInt64(bytes, 24);
        Assert.Equal(0UL, sectionOffset % 64);
        Assert.All(KilnFiles.Model(bytes).Tensors, t => Assert.Equal(0UL, t.Offset % 64));
        Assert.Equal("KILN\0\r\n\u001a"u8.ToArray(), bytes[..8]);
    }

    [Fact]
    public void Writing_with_an_entry_graph_not_in_the_module_is_an_argument_error()
    {
        var contents = KilnFiles.Sample() with { EntryGraph = "nowhere" };
        var e = Assert.Throws<ArgumentException>(() => KilnFiles.Bytes(contents));
        Assert.Contains("@nowhere", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_what_a_reader_would_reject_is_an_argument_error()
    {
        var sample = KilnFiles.Sample();
        var unnamed = sample with { Tensors = new() { [""] = new(Tensor.Scalar(1.0f), KilnTensorKind.Buffer) } };
        Assert.Contains("empty name", Assert.Throws<ArgumentException>(() => KilnFiles.Bytes(unnamed)).Message, StringComparison.Ordinal);
        var anonymous = sample with { Producer = new KilnProducer("", "1") };
        Assert.Contains("producer", Assert.Throws<ArgumentException>(() => KilnFiles.Bytes(anonymous)).Message, StringComparison.Ordinal);
    }

    private static void AssertSame(KilnFileContents expected, KilnFileContents actual)
    {
        Assert.Equal(KirPrinter.Print(expected.Graphs), KirPrinter.Print(actual.Graphs));
        Assert.Equal(expected.EntryGraph, actual.EntryGraph);
        Assert.Equal(expected.Producer, actual.Producer);
        Assert.Equal(KilnFile.FormatVersion, actual.FormatVersion);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key), actual.Metadata.OrderBy(p => p.Key));
        Assert.Equal(expected.Tensors.Keys, actual.Tensors.Keys);
        foreach (var (name, stored) in expected.Tensors)
        {
            var read = actual.Tensors[name];
            Assert.Equal(stored.Kind, read.Kind);
            Assert.Equal(stored.Tensor.DType, read.Tensor.DType);
            Assert.Equal(stored.Tensor.Shape, read.Tensor.Shape);
            Assert.True(stored.Tensor.Contiguous().ByteSpan().SequenceEqual(read.Tensor.ByteSpan()), $"tensor '{name}' differs");
        }
    }
}
