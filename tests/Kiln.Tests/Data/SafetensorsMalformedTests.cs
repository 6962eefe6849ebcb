using System.Buffers.Binary;
using System.Text;
using Kiln.Serialization;

namespace Kiln.Tests.Data;

/// <summary>Malformed safetensors data is refused with a <see cref="SafetensorsFormatException"/> that says what is wrong.</summary>
public class SafetensorsMalformedTests
{
    /// <summary>A file with <paramref name="header"/> (padded to 8 bytes) and <paramref name="dataLength"/> bytes of data.</summary>
    private static byte[] File(string header, int dataLength)
    {
        var json = Encoding.UTF8.GetBytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        return file;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    private static SafetensorsFormatException Refused(byte[] file, params string[] fragments)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(new MemoryStream(file)));
        foreach (var fragment in fragments) Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        // A stream that cannot seek is read without knowing its length, and must be refused too.
        Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(new ForwardOnlyStream(file)));
        return e;
    }

    private static byte[] Valid()
    {
        using var stream = new MemoryStream();
        Safetensors.Save(stream, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(2, 3), ["b"] = Tensor.Zeros(3) });
        return stream.ToArray();
    }

    [Fact]
    public void A_valid_file_loads_from_both_kinds_of_stream()
    {
        Assert.Equal(2, Safetensors.Load(new MemoryStream(Valid())).Count);
        Assert.Equal([2L, 3], Safetensors.Load(new ForwardOnlyStream(Valid()))["w"].Shape);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Data_shorter_than_the_length_prefix_is_refused(int length) =>
        Refused(Valid()[..length], "8-byte header length");

    [Fact]
    public void A_file_truncated_in_the_header_is_refused()
    {
        var file = Valid();
        Refused(file[..20], "header length");
    }

    [Fact]
    public void A_file_truncated_in_the_data_is_refused_naming_the_tensor()
    {
        var file = Valid();
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(new MemoryStream(file[..^4])));
        Assert.Contains("data_offsets", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(new ForwardOnlyStream(file[..^4])));
        Assert.Contains("tensor 'w'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_refused()
    {
        Refused([.. Valid(), 0, 0, 0, 0], "data");
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(100_000_001UL)]
    public void A_huge_header_length_is_refused_before_allocating(ulong length)
    {
        var file = Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        Refused(file, "header length", "limit");
    }

    [Fact]
    public void A_header_length_past_the_end_of_the_file_is_refused()
    {
        var file = Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)file.Length);
        Refused(file, $"header length {file.Length}");
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\"", "not well-formed JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"w\":[1]}", "tensor 'w'", "expected an object")]
    [InlineData("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'w'", "field 'dtype' is missing")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "tensor 'w'", "field 'shape' is missing")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "tensor 'w'", "field 'data_offsets' is missing")]
    [InlineData("{\"w\":{\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]}}", "field 'dtype' must be a string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "field 'shape' item 0")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "field 'shape' item 0")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", "field 'shape' must be an array")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "field 'data_offsets' must hold 2")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "'__metadata__' entry 'k' must be a string")]
    [InlineData("{\"__metadata__\":[],\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "'__metadata__' must be an object")]
    public void Malformed_headers_are_refused_naming_the_field(string header, params string[] fragments) =>
        Refused(File(header, 4), fragments);

    [Fact]
    public void A_header_that_is_not_UTF8_is_refused()
    {
        var file = File("{" + Entry("wx", "F32", "[1]", 0, 4) + "}", 4);
        file[8 + 3] = 0xFF;
        Refused(file, "not valid UTF-8");
    }

    [Theory]
    [InlineData("F31", "unknown dtype \"F31\"")]
    [InlineData("f32", "unknown dtype \"f32\"")]
    [InlineData("U32", "\"U32\" is a safetensors dtype that Kiln does not support")]
    public void Unknown_and_unsupported_dtypes_are_refused_naming_the_tensor(string dtype, string fragment) =>
        Refused(File("{" + Entry("w", dtype, "[1]", 0, 4) + "}", 4), "tensor 'w'", fragment);

    [Fact]
    public void A_name_given_twice_is_refused()
    {
        Refused(File("{" + Entry("w", "F32", "[1]", 0, 4) + "," + Entry("w", "F32", "[1]", 4, 8) + "}", 8), "names 'w' twice");
    }

    [Fact]
    public void A_shape_that_does_not_match_the_offsets_is_refused()
    {
        Refused(File("{" + Entry("w", "F32", "[2]", 0, 4) + "}", 4), "tensor 'w'", "[2]", "needs 8 bytes", "hold 4");
    }

    [Fact]
    public void A_shape_whose_size_overflows_is_refused()
    {
        Refused(File("{" + Entry("w", "F64", "[4294967296,4294967296]", 0, 4) + "}", 4), "tensor 'w'", "64 bits");
    }

    [Fact]
    public void Offsets_past_the_data_are_refused()
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(new MemoryStream(File("{" + Entry("w", "F32", "[2]", 0, 8) + "}", 4))));
        Assert.Contains("tensor 'w'", e.Message, StringComparison.Ordinal);
        Assert.Contains("past the end of the 4-byte data section", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_that_end_before_they_begin_are_refused()
    {
        Refused(File("{" + Entry("w", "F32", "[0]", 4, 0) + "}", 4), "tensor 'w'", "end before they begin");
    }

    [Fact]
    public void Overlapping_offsets_are_refused_naming_both_tensors()
    {
        Refused(File("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", 12), "tensor 'b'", "overlap tensor 'a'");
    }

    [Fact]
    public void A_gap_between_tensors_is_refused()
    {
        Refused(File("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 8, 12) + "}", 12), "tensor 'b'", "gap", "[4, 8)");
    }

    [Fact]
    public void Data_not_covered_by_any_tensor_is_refused()
    {
        Refused(File("{" + Entry("a", "F32", "[1]", 0, 4) + "}", 8), "[4, 8)");
    }

    [Fact]
    public void Bool_bytes_other_than_0_and_1_are_refused()
    {
        var file = File("{" + Entry("m", "BOOL", "[3]", 0, 3) + "}", 3);
        file[^1] = 2;
        Refused(file, "tensor 'm'", "element 2", "0 or 1");
    }

    [Fact]
    public void Entries_in_any_order_load_in_data_order_and_unknown_fields_are_ignored()
    {
        var file = File("{\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8],\"extra\":true}," + Entry("a", "I32", "[1]", 0, 4) + "}", 8);
        file[^4] = 9;
        var tensors = Safetensors.Load(new MemoryStream(file));
        Assert.Equal(["a", "b"], tensors.Keys);
        Assert.Equal(9, tensors["b"].Item<int>());
    }

    /// <summary>A stream that can only be read forward, like a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
