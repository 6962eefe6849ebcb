using System.Buffers.Binary;
using Google.Protobuf;
using Kiln.IR;
using Kiln.Serialization;
using Kiln.Serialization.Proto;
using Kiln.Tests.GraphExecution;

namespace Kiln.Tests.KilnFormat;

/// <summary>Valid <c>.kiln</c> contents and files to round-trip and to corrupt.</summary>
internal static class KilnFiles
{
    /// <summary>A module of two graphs where the entry graph calls the other.</summary>
    public const string CallingModule =
        "graph @id(%x: f32[3]) -> (f32[3]) {\n  return %x\n}\ngraph @m(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = call @id(%x)\n  return %y\n}";

    /// <summary>The MLP model's graph and a tensor of every dtype, including an empty and a 0-d tensor.</summary>
    public static KilnFileContents Sample()
    {
        var graphs = KirParser.ParseModule(GraphReference.Kir("mlp"));
        var tensors = new OrderedDictionary<string, KilnTensor>(StringComparer.Ordinal)
        {
            ["fc.weight"] = new(Tensor.Randn(4, 3), KilnTensorKind.Parameter),
            ["fc.bias"] = new(Tensor.FromArray([1.5, -2.25, double.NaN], 3), KilnTensorKind.Parameter),
            ["half"] = new(Tensor.FromArray([(Half)1.5, Half.NegativeInfinity, (Half)(-0.0f)], 3), KilnTensorKind.Buffer),
            ["bf16"] = new(Tensor.Randn(2, 5).To(DType.BFloat16), KilnTensorKind.Buffer),
            ["steps"] = new(Tensor.FromArray([long.MinValue, 0, long.MaxValue], 3), KilnTensorKind.Buffer),
            ["mask"] = new(Tensor.FromArray([true, false, true, true], 2, 2), KilnTensorKind.Constant),
            ["bytes"] = new(Tensor.FromArray(new byte[] { 0, 255, 7 }, 3), KilnTensorKind.Constant),
            ["i8"] = new(Tensor.FromArray(new sbyte[] { -128, 127 }, 2), KilnTensorKind.Constant),
            ["i16"] = new(Tensor.FromArray(new short[] { -32768, 1 }, 2), KilnTensorKind.Constant),
            ["i32"] = new(Tensor.FromArray([int.MinValue, 3], 1, 2), KilnTensorKind.Constant),
            ["empty"] = new(Tensor.Empty([0, 3], DType.Float32), KilnTensorKind.Buffer),
            ["scalar"] = new(Tensor.Scalar(42.0f), KilnTensorKind.Constant),
        };
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["task"] = "mnist", ["empty"] = "" };
        return new KilnFileContents(graphs, graphs.Graphs[^1].Name, tensors, metadata, new KilnProducer("kiln-tests", "1.2.3"));
    }

    /// <summary>The bytes of <paramref name="contents"/> written as a <c>.kiln</c> file.</summary>
    public static byte[] Bytes(KilnFileContents contents)
    {
        using var stream = new MemoryStream();
        KilnFile.Write(stream, contents);
        return stream.ToArray();
    }

    /// <summary>Reads <paramref name="bytes"/> as a <c>.kiln</c> file from a stream.</summary>
    public static KilnFileContents Read(byte[] bytes) => KilnFile.Read(new MemoryStream(bytes, writable: false));

    /// <summary>The protobuf message of a valid file.</summary>
    public static KilnModel Model(byte[] file) =>
        KilnModel.Parser.ParseFrom(file.AsSpan(40, (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(16))));

    /// <summary>
    /// <paramref name="file"/> with its protobuf message changed by <paramref name="edit"/> and the header's lengths and
    /// offsets fixed to match, so that the edit is the only thing wrong with the result.
    /// </summary>
    public static byte[] WithModel(byte[] file, Action<KilnModel> edit)
    {
        var model = Model(file);
        edit(model);
        ulong sectionOffset = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(24));
        byte[] section = file[(int)sectionOffset..];
        byte[] proto = model.ToByteArray();
        int newOffset = (40 + proto.Length + 63) / 64 * 64;
        var result = new byte[newOffset + section.Length];
        file.AsSpan(0, 40).CopyTo(result);
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(16), (ulong)proto.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(24), (ulong)newOffset);
        proto.CopyTo(result, 40);
        section.CopyTo(result, newOffset);
        return result;
    }

    /// <summary><paramref name="file"/> with the header's u64 at <paramref name="at"/> set to <paramref name="value"/>.</summary>
    public static byte[] WithHeaderU64(byte[] file, int at, ulong value)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(at), value);
        return copy;
    }
}
