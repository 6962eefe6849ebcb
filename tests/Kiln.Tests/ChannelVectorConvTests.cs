using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Conv;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// <see cref="ChannelVectorConv"/> (float32, output channels across the lanes) in its zmm and ymm forms, each where the
/// machine has it, against the im2col + GEMM path forced on the same call: odd sizes, padding 0–2, one image (output
/// rows split between threads), 1–16 input channels, 1–16 output channels and more than one register's worth, groups,
/// dilation, row stride, empty batches and non-contiguous inputs; and that the default dispatch takes it for LeNet's
/// second layer (the first goes to <see cref="FlatPositionConv{T}"/> where AVX-512F runs, else to <see cref="DirectConv{T}"/>) and leaves column strides and float64 to other paths.
/// </summary>
public class ChannelVectorConvTests
{
    public static TheoryData<string, long[], long[], long[], long[], long[], long> Shapes => new()
    {
        // name, input, weight, stride, padding, dilation, groups
        { "LeNet second layer", [64, 6, 14, 14], [16, 6, 5, 5], [1], [0], [1], 1 },
        { "one image, padding 2, odd sizes", [1, 3, 13, 17], [16, 3, 5, 5], [1], [2], [1], 1 },
        { "one input channel, padding 1, 13 outputs", [2, 1, 11, 9], [13, 1, 3, 3], [1], [1], [1], 1 },
        { "two channel blocks, 20 outputs", [3, 6, 9, 23], [20, 6, 3, 5], [1], [1, 2], [1], 1 },
        { "32 outputs, 16 input channels", [2, 16, 7, 12], [32, 16, 3, 3], [1], [1], [1], 1 },
        { "6 outputs, one short block", [2, 6, 10, 10], [6, 6, 5, 5], [1], [2], [1], 1 },
        { "row stride and dilation", [2, 4, 19, 15], [16, 4, 3, 3], [2, 1], [1], [2, 3], 1 },
        { "grouped", [2, 12, 9, 14], [30, 4, 3, 3], [1], [1], [1], 3 },
        { "one output column", [2, 3, 6, 5], [16, 3, 3, 5], [1], [0], [1], 1 },
        { "kernel larger than the input", [1, 2, 3, 4], [14, 2, 5, 5], [1], [2], [1], 1 },
    };

    /// <summary>The forms this machine runs.</summary>
    private static IEnumerable<ConvMicroKernel> Forms()
    {
        if (Fma.IsSupported) yield return ConvMicroKernel.ChannelVector256;
        if (Avx512F.IsSupported) yield return ConvMicroKernel.ChannelVector512;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_gemm_path_on_one_and_two_threads(string name, long[] input, long[] weight, long[] stride, long[] padding, long[] dilation, long groups)
    {
        var x = Tensor.Randn(input);
        var w = Tensor.Randn(weight);
        var b = Tensor.Randn(weight[0]);
        foreach (var bias in new[] { b, null })
        {
            var expected = ConvKernel.Forward("conv2d", 2, x, w, bias, stride, padding, null, dilation, groups, ConvMicroKernel.Portable);
            foreach (var form in Forms())
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    var actual = TestThreads.With(threads, () =>
                        ConvKernel.Forward("conv2d", 2, x, w, bias, stride, padding, null, dilation, groups, form));
                    AssertClose(expected, actual, $"{name}, {form}, bias {bias is not null}, {threads} thread(s)");
                }
            }
        }
    }

    [Fact]
    public void Every_output_channel_count_up_to_16_matches_the_gemm_path()
    {
        var x = Tensor.Randn(3, 2, 9, 13);
        for (int channels = 1; channels <= 16; channels++)
        {
            var w = Tensor.Randn(channels, 2, 3, 5);
            var b = Tensor.Randn(channels);
            var expected = ConvKernel.Forward("conv2d", 2, x, w, b, null, [1, 2], null, null, 1, ConvMicroKernel.Portable);
            foreach (var form in Forms())
                AssertClose(expected, ConvKernel.Forward("conv2d", 2, x, w, b, null, [1, 2], null, null, 1, form), $"{channels} channels, {form}");
            AssertClose(expected, F.Conv2d(x, w, b, null, [1, 2]), $"{channels} channels, default dispatch");
        }
    }

    [Fact]
    public void An_empty_batch_gives_an_empty_result()
    {
        var x = Tensor.Randn(0, 6, 14, 14);
        var w = Tensor.Randn(16, 6, 5, 5);
        foreach (var form in Forms())
            Assert.Equal([0L, 16, 10, 10], ConvKernel.Forward("conv2d", 2, x, w, Tensor.Randn(16), null, null, null, null, 1, form).Shape);
    }

    [Fact]
    public void A_column_stride_takes_another_path_and_agrees()
    {
        var x = Tensor.Randn(2, 6, 14, 15);
        var w = Tensor.Randn(16, 6, 5, 5);
        var b = Tensor.Randn(16);
        foreach (var stride in new long[][] { [2], [1, 2] })
        {
            var expected = ConvKernel.Forward("conv2d", 2, x, w, b, stride, [1], null, null, 1, ConvMicroKernel.Portable);
            AssertClose(expected, F.Conv2d(x, w, b, stride, [1]), $"stride [{string.Join(", ", stride)}]");
        }
    }

    [Fact]
    public void Non_contiguous_inputs_and_weights_give_the_contiguous_result()
    {
        var x = Tensor.Randn(3, 6, 11, 13);
        var w = Tensor.Randn(16, 6, 5, 5);
        var xT = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        var wT = w.Transpose(0, 1).Contiguous().Transpose(0, 1);
        Assert.False(xT.IsContiguous);
        Assert.False(wT.IsContiguous);
        foreach (var form in Forms())
        {
            var expected = ConvKernel.Forward("conv2d", 2, x, w, null, null, [1], null, null, 1, form);
            var actual = ConvKernel.Forward("conv2d", 2, xT, wT, null, null, [1], null, null, 1, form);
            Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
        }
    }

    [Theory]
    [InlineData(new long[] { 4, 6, 14, 14 }, new long[] { 16, 6, 5, 5 }, 0L, true)]
    [InlineData(new long[] { 3, 1, 28, 28 }, new long[] { 6, 1, 5, 5 }, 2L, false)]
    public void The_default_dispatch_takes_it_for_lenets_second_layer_and_a_direct_kernel_for_the_first(long[] input, long[] weight, long padding, bool channelVector)
    {
        if (!Fma.IsSupported) return;
        var x = Tensor.Randn(input);
        var w = Tensor.Randn(weight);
        var b = Tensor.Randn(weight[0]);
        var viaDispatch = F.Conv2d(x, w, b, null, [padding]);
        var form = !channelVector ? (Avx512F.IsSupported ? ConvMicroKernel.FlatPositions : ConvMicroKernel.Direct)
            : ChannelVectorConv.PrefersWide ? ConvMicroKernel.ChannelVector512 : ConvMicroKernel.ChannelVector256;
        var forced = ConvKernel.Forward("conv2d", 2, x, w, b, null, [padding], null, null, 1, form);
        // Bit-identical: the same kernel summing in the same order.
        Assert.Equal(forced.ToArray<float>(), viaDispatch.ToArray<float>());
        var gemm = ConvKernel.Forward("conv2d", 2, x, w, b, null, [padding], null, null, 1, ConvMicroKernel.Portable);
        AssertClose(gemm, viaDispatch, "dispatch vs gemm");
    }

    [Fact]
    public void Float64_and_half_precision_keep_their_paths_and_agree()
    {
        var x = Tensor.Randn([2, 6, 9, 9], DType.Float64);
        var w = Tensor.Randn([16, 6, 3, 3], DType.Float64);
        var asDouble = F.Conv2d(x, w, null, null, [1]);
        Assert.Equal(DType.Float64, asDouble.DType);
        var asFloat = F.Conv2d(x.To(DType.Float32), w.To(DType.Float32), null, null, [1]);
        AssertClose(asDouble.To(DType.Float32), asFloat, "float64 vs float32");
        var asHalf = F.Conv2d(x.To(DType.Float16), w.To(DType.Float16), null, null, [1]);
        Assert.Equal(DType.Float16, asHalf.DType);
        AssertClose(asFloat, asHalf.To(DType.Float32), "float16 vs float32", tolerance: 3e-2);
    }

    /// <summary>Element by element within <paramref name="tolerance"/> relative to max(1, |expected|): sums of up to a few hundred float products.</summary>
    private static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        float[] e = expected.Contiguous().ToArray<float>(), a = actual.Contiguous().ToArray<float>();
        for (int i = 0; i < e.Length; i++)
        {
            double error = Math.Abs(e[i] - a[i]) / Math.Max(1, Math.Abs(e[i]));
            Assert.True(error <= tolerance, $"{what}: element {i} is {a[i]}, expected {e[i]}");
        }
    }
}
