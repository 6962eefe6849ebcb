using System.Buffers.Binary;
using System.Text;
using Kiln.Serialization;

namespace Kiln.Tests.Data;

public class SafetensorsTests
{
    public static IEnumerable<object[]> AllDTypes => DTypes.All.Select(d => new object[] { d });

    private static byte[] SaveToBytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        Safetensors.Save(stream, tensors, metadata);
        return stream.ToArray();
    }

    private static SafetensorsContents LoadBytes(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return Safetensors.LoadWithMetadata(stream);
    }

    internal static string HeaderOf(byte[] file) =>
        Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));

    private static Tensor Sample(DType dtype, params long[] shape)
    {
        long n = Shapes.Numel(shape);
        var values = Tensor.Arange(n, dtype: DType.Float64).Sub(n / 2.0).Mul(0.75);
        return dtype == DType.Bool ? values.Gt(0.0).Reshape(shape) : values.To(dtype).Reshape(shape);
    }

    private static void AssertSameTensor(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(actual.IsContiguous);
        Assert.Equal(expected.Contiguous().ByteSpan().ToArray(), actual.ByteSpan().ToArray());
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Every_dtype_round_trips_with_its_shape_including_0d_and_empty(DType dtype)
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = Sample(dtype, 3, 4),
            ["scalar"] = Sample(dtype),
            ["empty"] = Sample(dtype, 0, 5),
            ["vector"] = Sample(dtype, 7),
        };
        var loaded = LoadBytes(SaveToBytes(tensors));
        Assert.Null(loaded.Metadata);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), loaded.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in tensors) AssertSameTensor(tensor, loaded.Tensors[name]);
        Assert.Empty(loaded.Tensors["scalar"].Shape);
        Assert.Equal([0L, 5], loaded.Tensors["empty"].Shape);
    }

    [Fact]
    public void Files_round_trip_through_a_path_with_metadata()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kiln-{Guid.NewGuid():N}.safetensors");
        try
        {
            var weights = new Dictionary<string, Tensor> { ["fc.weight"] = Tensor.Randn(4, 3), ["fc.bias"] = Tensor.Zeros(4) };
            Safetensors.Save(path, weights, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"\n" });
            var loaded = Safetensors.LoadWithMetadata(path);
            Assert.Equal("pt", loaded.Metadata!["format"]);
            Assert.Equal("ünïcode \"quoted\"\n", loaded.Metadata["note"]);
            AssertSameTensor(weights["fc.weight"], Safetensors.Load(path)["fc.weight"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Non_contiguous_tensors_are_written_in_row_major_order()
    {
        var source = Tensor.Arange(12, dtype: DType.Float32).Reshape(3, 4);
        var transposed = source.Transpose(0, 1);
        var strided = source.Slice(1, 0, 4, 2);
        Assert.False(transposed.IsContiguous);
        var loaded = LoadBytes(SaveToBytes(new Dictionary<string, Tensor> { ["t"] = transposed, ["s"] = strided })).Tensors;
        Assert.Equal([4L, 3], loaded["t"].Shape);
        Assert.Equal(transposed.ToArray<float>(), loaded["t"].ToArray<float>());
        Assert.Equal([0f, 2, 4, 6, 8, 10], loaded["s"].ToArray<float>());
    }

    [Fact]
    public void Tensors_are_laid_out_by_dtype_alignment_then_name_and_loaded_in_file_order()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.Zeros([1], DType.Float32),
            ["a"] = Tensor.Zeros([1], DType.Float32),
            ["mask"] = Tensor.Zeros([1], DType.Bool),
            ["count"] = Tensor.Zeros([1], DType.Int64),
            ["h"] = Tensor.Zeros([1], DType.Float16),
            ["d"] = Tensor.Zeros([1], DType.Float64),
        };
        var file = SaveToBytes(tensors);
        var header = HeaderOf(file);
        var positions = new[] { "count", "d", "a", "b", "h", "mask" }.Select(n => header.IndexOf($"\"{n}\":", StringComparison.Ordinal)).ToArray();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(["count", "d", "a", "b", "h", "mask"], LoadBytes(file).Tensors.Keys);
    }

    [Fact]
    public void The_header_is_padded_with_spaces_to_8_bytes()
    {
        foreach (var name in new[] { "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh" })
        {
            var file = SaveToBytes(new Dictionary<string, Tensor> { [name] = Tensor.Zeros(1) });
            long length = BinaryPrimitives.ReadInt64LittleEndian(file);
            Assert.Equal(0, length % 8);
            var header = HeaderOf(file);
            Assert.EndsWith("}", header.TrimEnd(' '), StringComparison.Ordinal);
            Assert.True(header.Length - header.TrimEnd(' ').Length < 8);
        }
    }

    [Fact]
    public void Output_matches_the_reference_implementations_test_vectors()
    {
        // From huggingface/safetensors' own tests (test_serialization, test_empty).
        var attn = new Dictionary<string, Tensor> { ["attn.0"] = Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5 }, 1, 2, 3) };
        byte[] expected =
        [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        Assert.Equal(expected, SaveToBytes(attn));
        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32], SaveToBytes(new Dictionary<string, Tensor>()));
        var withMetadata = SaveToBytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" });
        Assert.Equal(40, withMetadata[0]);
        Assert.Equal("{\"__metadata__\":{\"framework\":\"pt\"}}     ", HeaderOf(withMetadata));
        Assert.Empty(LoadBytes(withMetadata).Tensors);
    }

    [Fact]
    public void Names_are_escaped_as_serde_json_escapes_them()
    {
        var file = SaveToBytes(new Dictionary<string, Tensor> { ["a\"b\\c\u0001\té"] = Tensor.Zeros(1) });
        Assert.StartsWith("{\"a\\\"b\\\\c\\u0001\\té\":", HeaderOf(file), StringComparison.Ordinal);
        Assert.Equal("a\"b\\c\u0001\té", Assert.Single(LoadBytes(file).Tensors.Keys));
    }

    [Fact]
    public void Saving_rejects_the_reserved_name_and_null_tensors()
    {
        var e = Assert.Throws<ArgumentException>(() => SaveToBytes(new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
        Assert.Contains("reserved", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SaveToBytes(new Dictionary<string, Tensor> { ["w"] = null! }));
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
    }
}
