using System.Text.Json;
using Kiln.IR;

namespace Kiln.Tests.OpInfo;

/// <summary>The OpInfo machinery itself: layouts are built as specified, the comparison rules hold, attributes round-trip.</summary>
public sealed class InfrastructureTests
{
    [Theory]
    [InlineData(SampleLayout.Contiguous, new long[] { 2, 3 }, true)]
    [InlineData(SampleLayout.Transposed, new long[] { 2, 3 }, false)]
    [InlineData(SampleLayout.Strided, new long[] { 2, 3 }, false)]
    [InlineData(SampleLayout.Expanded, new long[] { 2, 3 }, false)]
    public void Layout_builder_keeps_the_logical_values(SampleLayout layout, long[] shape, bool contiguous)
    {
        // Rows equal along dim 0, so the same values serve the expanded layout.
        float[] values = [1.5f, -2, 3, 1.5f, -2, 3];
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(values));

        var t = LayoutBuilder.Build(new TensorSpec(DType.Float32, shape, layout), json.RootElement);

        Assert.Equal(values, t.ToArray<float>());
        Assert.Equal(contiguous, t.IsContiguous);
    }

    [Theory]
    [InlineData(double.NaN, double.NaN, true)]
    [InlineData(1.0, double.NaN, false)]
    [InlineData(double.NaN, 1.0, false)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, true)]
    [InlineData(double.NegativeInfinity, double.PositiveInfinity, false)]
    [InlineData(double.PositiveInfinity, 1e30, false)]
    [InlineData(1.000001, 1.0, true)]
    [InlineData(1.0001, 1.0, false)]
    public void Comparer_matches_nan_with_nan_and_infinities_by_sign(double actual, double expected, bool close) =>
        Assert.Equal(close, ResultComparer.Close(actual, expected, Tolerance.For(DType.Float32)));

    [Fact]
    public void Attributes_round_trip_through_the_reference_form_with_their_types()
    {
        var attrs = new Attrs { { "alpha", 1.0 }, { "dim", new long[] { 0, -1 } }, { "keepdim", true }, { "k", 3L }, { "p", double.PositiveInfinity },
            { "dtype", DType.BFloat16 }, { "mode", "tanh" }, { "min", null }, { "zero", -0.0 } };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            SampleCodec.WriteAttrs(writer, attrs);
        using var json = JsonDocument.Parse(stream.ToArray());

        var back = SampleCodec.ReadAttrs(json.RootElement);

        Assert.True(SampleCodec.SameAttrs(attrs, back), $"{attrs} came back as {back}");
        Assert.IsType<double>(back["alpha"]);
        Assert.True(double.IsNegative((double)back["zero"]!));
        Assert.False(SampleCodec.SameAttrs(attrs, new Attrs { { "alpha", 1L } }));
    }
}
