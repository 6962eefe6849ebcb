using System.Text;
using Kiln.Serialization;

namespace Kiln.Tests.Npy;

/// <summary><see cref="Kiln.Serialization.Npy"/>: files NumPy wrote, round trips per dtype, and malformed or hostile files.</summary>
public class NpyTests
{
    public static TheoryData<string, string, DType, long[], bool> NumpyWritten => NumpyFiles.All;

    [Theory]
    [MemberData(nameof(NumpyWritten))]
    public void Files_numpy_wrote_are_read_with_their_dtype_shape_and_bytes_and_written_back_identically(string name, string base64, DType dtype, long[] shape, bool sameBytes)
    {
        var file = Convert.FromBase64String(base64);
        var tensor = Kiln.Serialization.Npy.Read(new MemoryStream(file));
        Assert.Equal(dtype, tensor.DType);
        Assert.Equal(shape, tensor.Shape);
        int size = tensor.ByteSpan().Length;
        Assert.Equal(file.AsSpan(file.Length - size).ToArray(), tensor.ByteSpan().ToArray());
        if (sameBytes) Assert.True(file.AsSpan().SequenceEqual(Write(tensor)), $"{name}: Npy.Write differs from np.save");
    }

    [Fact]
    public void Values_read_from_numpy_files_are_numpys_values()
    {
        var files = NumpyFiles.All.Select(row => ((string)row[0], Convert.FromBase64String((string)row[1]))).ToDictionary(r => r.Item1, r => r.Item2);
        Assert.Equal([1.5f, -2f, 0f, 3.25f, float.PositiveInfinity, -0f], Read(files["float32 2x3"]).ToArray<float>());
        Assert.Equal(-1234567890123L, Read(files["int64 scalar"]).Item<long>());
        Assert.Equal([true, false, true], Read(files["bool vector"]).ToArray<bool>());
        Assert.Equal([(Half)1, (Half)(-0.5), Half.MaxValue, (Half)6e-8], Read(files["float16 vector"]).ToArray<Half>());
        Assert.Equal([3, 4], Read(files["version 3.0 int32"]).ToArray<int>());
    }

    public static TheoryData<DType> NumpyDTypes => [.. DTypes.All.Where(d => d != DType.BFloat16)];

    [Theory]
    [MemberData(nameof(NumpyDTypes))]
    public void Every_dtype_round_trips_bitwise_for_matrices_scalars_empties_and_strided_views(DType dtype)
    {
        var values = Tensor.FromArray(new double[] { 0, 1, -1, 2.5, 100, -7, 3, 0.5, 1, 0, 9, -3 }, 3, 4).To(dtype);
        foreach (var tensor in new[] { values, values.T, values[0, 1], Tensor.Empty([0, 5], dtype), Tensor.Empty([2, 0, 3], dtype) })
        {
            var back = Read(Write(tensor));
            Assert.Equal(dtype, back.DType);
            Assert.Equal(tensor.Shape, back.Shape);
            Assert.Equal(tensor.Contiguous().ByteSpan().ToArray(), back.ByteSpan().ToArray());
        }
    }

    [Fact]
    public void Headers_are_padded_so_the_data_starts_at_a_multiple_of_64_bytes()
    {
        foreach (var shape in new[] { Array.Empty<long>(), [7], [.. Enumerable.Repeat(1L, 30)] })
        {
            var file = Write(Tensor.Zeros(shape));
            int headerLength = BitConverter.ToUInt16(file, 8);
            Assert.Equal(0, (10 + headerLength) % 64);
            Assert.Equal((byte)'\n', file[10 + headerLength - 1]);
            Assert.Equal(1, file[6]);
        }
    }

    [Fact]
    public void The_most_dims_read_are_written_as_version_1_and_more_are_refused_before_a_file_is_created()
    {
        var widest = Tensor.Zeros([.. Enumerable.Repeat(1L, KilnFile.MaxRank)], DType.UInt8);
        var file = Write(widest);
        Assert.Equal(1, file[6]);
        Assert.Equal(widest.Shape, Kiln.Serialization.Npy.Read(new MemoryStream(file)).Shape);

        var path = Path.Combine(Path.GetTempPath(), $"kiln-npy-{Guid.NewGuid():N}.npy");
        var tooMany = Tensor.Zeros([.. Enumerable.Repeat(1L, KilnFile.MaxRank + 1)], DType.UInt8);
        var e = Assert.Throws<ArgumentException>(() => Kiln.Serialization.Npy.Write(path, tooMany));
        Assert.StartsWith("Npy.Write: the tensor has 65 dims; .npy files are read with at most 64", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_file_path_round_trips_and_bytes_after_the_data_are_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kiln-npy-{Guid.NewGuid():N}.npy");
        try
        {
            var tensor = Tensor.FromArray(new float[] { 1, 2, 3 }, 3);
            Kiln.Serialization.Npy.Write(path, tensor);
            Assert.Equal(tensor.ToArray<float>(), Kiln.Serialization.Npy.Read(path).ToArray<float>());
            File.AppendAllText(path, "x");
            var e = Assert.Throws<NpyFormatException>(() => Kiln.Serialization.Npy.Read(path));
            Assert.Equal("invalid .npy file: 1 bytes follow the array's data", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Arrays_appended_to_one_stream_are_read_in_turn()
    {
        var stream = new MemoryStream();
        Kiln.Serialization.Npy.Write(stream, Tensor.FromArray(new long[] { 1, 2 }, 2));
        Kiln.Serialization.Npy.Write(stream, Tensor.FromArray(new short[] { 3 }, 1));
        stream.Position = 0;
        Assert.Equal([1L, 2L], Kiln.Serialization.Npy.Read(stream).ToArray<long>());
        Assert.Equal([(short)3], Kiln.Serialization.Npy.Read(stream).ToArray<short>());
    }

    [Fact]
    public void Bfloat16_is_refused_before_a_file_is_created()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kiln-npy-{Guid.NewGuid():N}.npy");
        var e = Assert.Throws<ArgumentException>(() => Kiln.Serialization.Npy.Write(path, Tensor.Zeros([2], DType.BFloat16)));
        Assert.StartsWith("Npy.Write: NumPy has no bfloat16 dtype", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    public static TheoryData<string, string> MalformedHeaders => new()
    {
        { "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "fortran_order: True (column-major data) is not supported" },
        { "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "descr: '>f4' is not supported; the supported dtypes are <f4, <f8" },
        { "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "descr: '|O' is not supported" },
        { "{'descr': '<f4', 'fortran_order': False, }", "shape: missing from the header" },
        { "{'fortran_order': False, 'shape': (2,), }", "descr: missing from the header" },
        { "{'descr': '<f4', 'shape': (2,), }", "fortran_order: missing from the header" },
        { "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "descr: appears twice in the header" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", "header: unknown key 'extra'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "shape: (-2) has a negative dim" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", "shape: (4611686018427387904) needs more than" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536), }", "shape: (65536, 65536, 65536) needs more than" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "shape: '99999999999999999999' at offset" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "shape: a one-dim shape needs a trailing comma" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "shape: expected a tuple" },
        { "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "fortran_order: expected True or False" },
        { "{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", "header: expected ',' or '}' at offset " },
        { "{'descr': '<f4' 'fortran_order': False}", "header: expected ',' or '}'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing", "header: expected the end of the header" },
        { "__import__('os')", "header: expected '{'" },
        { "{'descr': '<f4", "descr: the string at offset 10 of the header is not closed" },
        { "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,), }", "descr: escapes in strings are not supported" },
        { $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Concat(Enumerable.Repeat("1, ", 70))}), }}", "shape: has more than 64 dims" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void Malformed_headers_are_refused_naming_the_field(string header, string message)
    {
        var e = Assert.Throws<NpyFormatException>(() => Read(WithHeader(header, version: 1)));
        Assert.StartsWith("invalid .npy file: " + message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_magic_versions_lengths_and_truncations_are_refused_naming_the_field()
    {
        var good = Write(Tensor.FromArray(new int[] { 1, 2, 3 }, 3));
        Assert.StartsWith("invalid .npy file: magic: ", Refused(Encoding.ASCII.GetBytes("PK\x03\x04 not numpy")));
        Assert.StartsWith("invalid .npy file: magic: ", Refused([]));
        Assert.StartsWith("invalid .npy file: header_len: the file ends after 8 bytes", Refused(good[..8]));
        Assert.StartsWith("invalid .npy file: version: 4.0 is not supported", Refused(Patched(good, 6, 4)));
        Assert.StartsWith("invalid .npy file: version: 1.1 is not supported", Refused(Patched(good, 7, 1)));
        Assert.StartsWith("invalid .npy file: header: the file ends 78 bytes short of the header's 118 bytes", Refused(good[..50]));
        Assert.StartsWith("invalid .npy file: data: the file ends 4 bytes short of the 12 bytes that shape (3) needs", Refused(good[..^4]));
        Assert.StartsWith("invalid .npy file: header_len: 4294967295 bytes is longer than the 10000 bytes allowed",
            Refused([.. Magic, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.StartsWith("invalid .npy file: header_len: the file ends inside the 4-byte header length", Refused([.. Magic, 2, 0, 1, 0]));
        Assert.StartsWith("invalid .npy file: header: not valid UTF-8", Refused(WithHeader("{'descr': '\xff'}", version: 3, latin1: true)));
    }

    [Fact]
    public void Bool_data_other_than_0_and_1_is_refused()
    {
        var file = Write(Tensor.FromArray(new[] { true, false }, 2));
        file[^1] = 2;
        Assert.Equal("invalid .npy file: data: bool element 1 is the byte 2; bool elements must be 0 or 1", Refused(file));
    }

    [Fact]
    public void Version_2_and_3_headers_are_read()
    {
        const string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (1,), }";
        Assert.Equal([(short)-1], Read([.. WithHeader(header, version: 2), 0xFF, 0xFF]).ToArray<short>());
        Assert.Equal([(short)258], Read([.. WithHeader(header, version: 3), 2, 1]).ToArray<short>());
    }

    private static readonly byte[] Magic = [0x93, .. "NUMPY"u8];

    private static Tensor Read(byte[] file) => Kiln.Serialization.Npy.Read(new MemoryStream(file));

    private static byte[] Write(Tensor tensor)
    {
        var stream = new MemoryStream();
        Kiln.Serialization.Npy.Write(stream, tensor);
        return stream.ToArray();
    }

    private static string Refused(byte[] file) => Assert.Throws<NpyFormatException>(() => Read(file)).Message;

    private static byte[] Patched(byte[] file, int at, byte value)
    {
        var copy = (byte[])file.Clone();
        copy[at] = value;
        return copy;
    }

    /// <summary>A file's prefix and <paramref name="header"/> (no data) in format <paramref name="version"/>.0.</summary>
    private static byte[] WithHeader(string header, int version, bool latin1 = false)
    {
        var text = latin1 ? Encoding.Latin1.GetBytes(header) : Encoding.UTF8.GetBytes(header);
        var lengthBytes = version == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes((uint)text.Length);
        return [.. Magic, (byte)version, 0, .. lengthBytes, .. text];
    }
}
