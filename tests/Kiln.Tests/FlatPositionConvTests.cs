using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Conv;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// <see cref="FlatPositionConv{T}"/> (AVX-512, few output channels, stride 1, output positions taken flat across rows)
/// against the im2col + GEMM path forced on the same call, in float32 and float64, on one and two threads: LeNet's
/// first layer, odd sizes, padding, dilation, groups, one image (output rows split between threads), outputs narrower
/// than a tile and images smaller than the kernel; every channel count it takes (1–24, in blocks of even size); and that
/// the default dispatch takes it where AVX-512 runs and leaves a row stride to other paths; bit for bit what
/// <see cref="DirectConv{T}"/> gives. Skips where AVX-512F is absent.
/// </summary>
public class FlatPositionConvTests
{
    public static TheoryData<string, long[], long[], long[], long[], long> Shapes => new()
    {
        // name, input, weight, padding, dilation, groups
        { "LeNet first layer, padding 2", [3, 1, 28, 28], [6, 1, 5, 5], [2], [1], 1 },
        { "one image, odd widths", [1, 3, 9, 37], [7, 3, 3, 5], [1, 2], [1], 1 },
        { "one output column", [2, 2, 6, 3], [5, 2, 3, 3], [0], [1], 1 },
        { "output narrower than a tile, 13 channels", [2, 2, 7, 5], [13, 2, 3, 3], [1], [1], 1 },
        { "dilation, grouped", [2, 6, 15, 21], [9, 2, 3, 3], [1, 3], [2, 3], 3 },
        { "kernel larger than the input", [1, 2, 3, 4], [4, 2, 5, 5], [2], [1], 1 },
        { "a wide image, 24 channels", [2, 1, 5, 70], [24, 1, 3, 3], [1], [1], 1 },
        { "one channel out", [2, 3, 8, 8], [1, 3, 3, 3], [1], [1], 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_gemm_path_in_float_and_double_on_one_and_two_threads(string name, long[] input, long[] weight, long[] padding, long[] dilation, long groups)
    {
        if (!Avx512F.IsSupported) return;
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var x = Tensor.Randn(input, dtype);
            var w = Tensor.Randn(weight, dtype);
            var b = Tensor.Randn([weight[0]], dtype);
            foreach (var bias in new[] { b, null })
            {
                var expected = ConvKernel.Forward("conv2d", 2, x, w, bias, null, padding, null, dilation, groups, ConvMicroKernel.Portable);
                var direct = ConvKernel.Forward("conv2d", 2, x, w, bias, null, padding, null, dilation, groups, ConvMicroKernel.Direct);
                foreach (int threads in new[] { 1, 2 })
                {
                    var actual = TestThreads.With(threads, () =>
                        ConvKernel.Forward("conv2d", 2, x, w, bias, null, padding, null, dilation, groups, ConvMicroKernel.FlatPositions));
                    AssertClose(expected, actual, dtype == DType.Float32 ? 1e-4 : 1e-10, $"{name}, {dtype}, bias {bias is not null}, {threads} thread(s)");
                    // The same sums in the same order as the ymm direct kernel (bias last): the same bits, so a process
                    // without AVX-512 (a NativeAOT binary) gives what the JIT gives.
                    Assert.Equal(direct.To(DType.Float64).ToArray<double>(), actual.To(DType.Float64).ToArray<double>());
                }
            }
        }
    }

    [Fact]
    public void Every_channel_count_it_takes_matches_the_gemm_path()
    {
        if (!Avx512F.IsSupported) return;
        var x = Tensor.Randn(3, 2, 9, 13);
        for (int channels = 1; channels <= 24; channels++)
        {
            // 2 input channels × 3×5 taps = 30 ≤ 32: the default dispatch sends up to 24 output channels here.
            var w = Tensor.Randn(channels, 2, 3, 5);
            var b = Tensor.Randn(channels);
            var expected = ConvKernel.Forward("conv2d", 2, x, w, b, null, [1, 2], null, null, 1, ConvMicroKernel.Portable);
            var forced = ConvKernel.Forward("conv2d", 2, x, w, b, null, [1, 2], null, null, 1, ConvMicroKernel.FlatPositions);
            AssertClose(expected, forced, 1e-4, $"{channels} channels");
            // Bit-identical: the default dispatch runs the same kernel, summing in the same order.
            Assert.Equal(forced.ToArray<float>(), F.Conv2d(x, w, b, null, [1, 2]).ToArray<float>());
        }
    }

    [Fact]
    public void Non_contiguous_inputs_give_the_contiguous_result_and_empty_batches_are_empty()
    {
        if (!Avx512F.IsSupported) return;
        var x = Tensor.Randn(2, 1, 28, 28);
        var w = Tensor.Randn(6, 1, 5, 5);
        var xT = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        Assert.False(xT.IsContiguous);
        var expected = ConvKernel.Forward("conv2d", 2, x, w, null, null, [2], null, null, 1, ConvMicroKernel.FlatPositions);
        Assert.Equal(expected.ToArray<float>(), ConvKernel.Forward("conv2d", 2, xT, w, null, null, [2], null, null, 1, ConvMicroKernel.FlatPositions).ToArray<float>());
        var empty = ConvKernel.Forward("conv2d", 2, Tensor.Randn(0, 1, 28, 28), w, null, null, [2], null, null, 1, ConvMicroKernel.FlatPositions);
        Assert.Equal([0L, 6, 28, 28], empty.Shape);
    }

    [Fact]
    public void A_row_stride_takes_another_path_and_agrees()
    {
        var x = Tensor.Randn(2, 3, 15, 14);
        var w = Tensor.Randn(6, 3, 3, 3);
        var b = Tensor.Randn(6);
        foreach (var stride in new long[][] { [2, 1], [2] })
        {
            var expected = ConvKernel.Forward("conv2d", 2, x, w, b, stride, [1], null, null, 1, ConvMicroKernel.Portable);
            // Forced on a stride it does not take, the kernel defers to the default dispatch.
            AssertClose(expected, ConvKernel.Forward("conv2d", 2, x, w, b, stride, [1], null, null, 1, ConvMicroKernel.FlatPositions), 1e-4, $"stride [{string.Join(", ", stride)}]");
        }
    }

    /// <summary>Element by element within <paramref name="tolerance"/> relative to max(1, |expected|).</summary>
    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] e = expected.To(DType.Float64).ToArray<double>(), a = actual.To(DType.Float64).ToArray<double>();
        for (int i = 0; i < e.Length; i++)
        {
            double error = Math.Abs(e[i] - a[i]) / Math.Max(1, Math.Abs(e[i]));
            Assert.True(error <= tolerance, $"{what}: element {i} is {a[i]}, expected {e[i]}");
        }
    }
}
