using System.Buffers.Binary;
using Kiln.Serialization;
using Kiln.Serialization.Proto;

namespace Kiln.Tests.KilnFormat;

/// <summary>Malformed, truncated and hostile <c>.kiln</c> files are rejected with a <see cref="KilnFormatException"/> naming the field.</summary>
public class KilnFileHostileTests
{
    private static readonly byte[] Valid = KilnFiles.Bytes(KilnFiles.Sample());

    private static void AssertRejected(byte[] file, params string[] expected)
    {
        var e = Assert.Throws<KilnFormatException>(() => KilnFiles.Read(file));
        foreach (var part in expected) Assert.Contains(part, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_is_rejected_and_header_truncations_name_the_header()
    {
        for (int length = 0; length < Valid.Length; length++)
        {
            var e = Assert.Throws<KilnFormatException>(() => KilnFiles.Read(Valid[..length]));
            if (length < 40) Assert.Contains("header", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_truncated_file_on_disk_is_rejected_through_the_mapped_reader()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kiln-truncated-{Guid.NewGuid():N}.kiln");
        try
        {
            foreach (int length in new[] { 0, 20, Valid.Length - 1 })
            {
                File.WriteAllBytes(path, Valid[..length]);
                Assert.Throws<KilnFormatException>(() => KilnFile.Read(path));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_wrong_magic_is_rejected() => AssertRejected([.. "PK\u0003\u0004"u8, .. Valid[4..]], "header.magic");

    [Fact]
    public void A_newer_major_version_is_refused_with_an_upgrade_hint()
    {
        var file = (byte[])Valid.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(10), 0);
        AssertRejected(file, "header.version", "2.0", "upgrade");
    }

    [Fact]
    public void A_newer_minor_version_with_unknown_fields_is_read()
    {
        var file = KilnFiles.WithModel(Valid, m => m.Metadata["x"] = "y");
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(10), 7);
        // Field 99, varint 1: a field this reader does not know, which it must skip.
        int protoLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(16));
        Assert.True(BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(24)) - 40 - (ulong)protoLength >= 3, "room for the unknown field in the padding");
        file[40 + protoLength] = 0x98;
        file[41 + protoLength] = 0x06;
        file[42 + protoLength] = 0x01;
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), (ulong)protoLength + 3);
        var read = KilnFiles.Read(file);
        Assert.Equal(new Version(1, 7), read.FormatVersion);
        Assert.Equal("y", read.Metadata["x"]);
    }

    [Fact]
    public void Version_zero_and_set_flags_are_rejected()
    {
        var file = (byte[])Valid.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), 0);
        AssertRejected(file, "header.version");
        file = (byte[])Valid.Clone();
        file[12] = 1;
        AssertRejected(file, "header.flags");
    }

    [Theory]
    [InlineData(1UL << 62, "header.protoLength", "limit")]
    [InlineData(ulong.MaxValue, "header.protoLength", "limit")]
    [InlineData(60_000_000UL, "header.protoLength", "past the end")]
    public void A_huge_proto_length_is_rejected_before_allocating(ulong length, string field, string problem) =>
        AssertRejected(KilnFiles.WithHeaderU64(Valid, 16, length), field, problem);

    [Theory]
    [InlineData(ulong.MaxValue - 7)]
    [InlineData(0UL)]
    [InlineData(40UL)]
    public void A_wrong_tensor_section_offset_is_rejected(ulong offset) =>
        AssertRejected(KilnFiles.WithHeaderU64(Valid, 24, offset), "header.tensorSectionOffset");

    [Fact]
    public void A_section_length_that_disagrees_with_the_file_is_rejected()
    {
        AssertRejected(KilnFiles.WithHeaderU64(Valid, 32, ulong.MaxValue), "header.tensorSectionLength");
        AssertRejected([.. Valid, 0], "header.tensorSectionLength", "truncated or extended");
    }

    [Fact]
    public void Non_zero_padding_is_rejected()
    {
        var file = (byte[])Valid.Clone();
        file[(int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(24)) - 1] = 0xff;
        AssertRejected(file, "padding");
    }

    [Fact]
    public void A_malformed_protobuf_message_is_rejected()
    {
        var file = (byte[])Valid.Clone();
        file.AsSpan(40, 8).Fill(0xff);
        AssertRejected(file, "model", "protobuf");
    }

    [Fact]
    public void A_tensor_claiming_2_to_the_62_elements_is_rejected_before_allocating()
    {
        AssertRejected(Edit(t => { t.Shape.Clear(); t.Shape.Add(1L << 62); t.Length = 4UL << 62; }), "tensors['fc.weight'].shape", "limit");
        AssertRejected(Edit(t => { t.Shape.Clear(); t.Shape.Add([1L << 31, 1L << 31, 1L << 31]); }), "tensors['fc.weight'].shape", "limit");
    }

    [Fact]
    public void Bad_shapes_and_dtypes_are_rejected()
    {
        AssertRejected(Edit(t => t.Shape[0] = -4), "tensors['fc.weight'].shape", "negative");
        AssertRejected(Edit(t => t.Shape.Add(Enumerable.Repeat(1L, 70))), "tensors['fc.weight'].shape", "rank 72");
        AssertRejected(Edit(t => t.Shape[0] = 5), "tensors['fc.weight'].length", "needs 60");
        AssertRejected(Edit(t => t.Dtype = "float128"), "tensors['fc.weight'].dtype", "float128");
        AssertRejected(Edit(t => t.Kind = TensorKind.Unspecified), "tensors['fc.weight'].kind");
    }

    [Fact]
    public void Misaligned_out_of_range_and_overlapping_offsets_are_rejected()
    {
        AssertRejected(Edit(t => t.Offset += 8), "tensors['fc.weight'].offset", "multiple of 64");
        AssertRejected(Edit(t => t.Offset = 1UL << 40), "tensors['fc.weight'].offset", "runs past");
        AssertRejected(Edit(t => t.Offset = ulong.MaxValue - 63), "tensors['fc.weight'].offset", "runs past");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Tensors[1].Offset = m.Tensors[0].Offset), "overlaps tensor");
    }

    [Fact]
    public void Duplicate_and_empty_tensor_names_are_rejected()
    {
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Tensors[1].Name = m.Tensors[0].Name), "tensors[1].name", "twice");
        AssertRejected(Edit(t => t.Name = ""), "tensors[0].name", "empty");
    }

    [Fact]
    public void A_bool_tensor_holding_other_bytes_is_rejected()
    {
        var file = (byte[])Valid.Clone();
        var mask = KilnFiles.Model(file).Tensors.Single(t => t.Name == "mask");
        file[(int)(BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(24)) + mask.Offset)] = 2;
        AssertRejected(file, "tensors['mask']", "bool");
    }

    [Fact]
    public void Graph_problems_are_rejected()
    {
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs[0].Kir = "graph @mlp(%x: f32[3]) -> (f32[4]) {\n  return %x\n}"), "model.graphs", "verify");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs[0].Kir = "not kir"), "model.graphs", "parse");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs[0].Kir = "graph @mlp(%x: " + string.Concat(Enumerable.Repeat("list<", 100_000))), "model.graphs", "nest deeper than 256");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs[0].Name = "other"), "model.graphs[0].name");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs[0].Entry = false), "model.graphs", "0 graphs are marked");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs.Clear()), "model.graphs", "0 graphs");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Graphs.Add(m.Graphs[0].Clone())), "model.graphs");
    }

    [Fact]
    public void A_missing_producer_or_a_mismatched_model_version_is_rejected()
    {
        AssertRejected(KilnFiles.WithModel(Valid, m => m.Producer = null), "model.producer");
        AssertRejected(KilnFiles.WithModel(Valid, m => m.FormatVersion = 3), "model.formatVersion");
    }

    private static byte[] Edit(Action<TensorEntry> edit) => KilnFiles.WithModel(Valid, m => edit(m.Tensors[0]));
}
