using System.Runtime.CompilerServices;
using Kiln.Serialization;

namespace Kiln.Tests.Data;

/// <summary>
/// Interoperability with the reference format: <c>reference.safetensors</c> beside this file was written by
/// <c>tests/reference/handwritten/safetensors_reference.py</c> following the format's specification; Kiln reads it and
/// writes the same tensors to the same bytes.
/// </summary>
public class SafetensorsInteropTests
{
    private static string ReferencePath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "reference.safetensors");

    /// <summary>The tensors the Python script writes, built in Kiln.</summary>
    private static Dictionary<string, Tensor> ReferenceTensors() => new()
    {
        ["weight"] = Tensor.FromArray(new[] { 0f, 0.5f, 1f, 1.5f, -2f, 3.25f }, 2, 3),
        ["bias"] = Tensor.FromArray(new[] { 1.5, -2.25 }),
        ["step"] = Tensor.Scalar(7L),
        ["mask"] = Tensor.FromArray(new[] { true, false, true, true }),
        ["half"] = Tensor.FromArray(new[] { (Half)1, (Half)(-0.5) }),
        ["bf"] = Tensor.FromArray(new[] { 1f, 3f }).To(DType.BFloat16),
        ["ids"] = Tensor.FromArray(new[] { 1, -2, 3, int.MaxValue }, 2, 2),
        ["small"] = Tensor.FromArray(new short[] { short.MinValue, 0, short.MaxValue }),
        ["bytes"] = Tensor.FromArray(new byte[] { 0, 128, 255 }),
        ["signed"] = Tensor.FromArray(new sbyte[] { sbyte.MinValue, sbyte.MaxValue }),
        ["empty"] = Tensor.Zeros(0, 4),
    };

    [Fact]
    public void Kiln_reads_the_reference_file()
    {
        var loaded = Safetensors.LoadWithMetadata(ReferencePath());
        Assert.Equal("pt", Assert.Single(loaded.Metadata!).Value);
        var expected = ReferenceTensors();
        Assert.Equal(["step", "bias", "empty", "weight", "ids", "bf", "half", "small", "signed", "bytes", "mask"], loaded.Tensors.Keys);
        foreach (var (name, tensor) in expected)
        {
            var actual = loaded.Tensors[name];
            Assert.Equal(tensor.DType, actual.DType);
            Assert.Equal(tensor.Shape, actual.Shape);
            Assert.Equal(tensor.To(DType.Float64).ToArray<double>(), actual.To(DType.Float64).ToArray<double>());
        }
    }

    [Fact]
    public void Kiln_writes_the_reference_file_byte_for_byte()
    {
        using var stream = new MemoryStream();
        Safetensors.Save(stream, ReferenceTensors(), new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(File.ReadAllBytes(ReferencePath()), stream.ToArray());
    }
}
