using Kiln.Kernels.Conv;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// Convolutions beyond the OpInfo samples: sizes that cross the GEMM's blocking (several K slices, column
/// blocks, split output channels, both threads) against a naive double-precision convolution, the portable
/// micro-kernel, the adjoint identities that tie conv_transpose2d to conv2d and fold to unfold, and the
/// public API's overloads and messages.
/// </summary>
public class ConvTests
{
    public static TheoryData<string, long[], long[], long[], long[], long[], long> Shapes => new()
    {
        // name, input, weight, stride, padding, dilation, groups
        { "several K slices and column blocks", [2, 40, 30, 30], [20, 40, 3, 3], [1], [1], [1], 1 },
        { "one image, many output channels", [1, 8, 6, 6], [100, 8, 3, 3], [1], [0], [1], 1 },
        { "strided, dilated, grouped", [3, 12, 17, 19], [18, 4, 3, 2], [2, 3], [2, 1], [2, 1], 3 },
        { "LeNet layer", [64, 1, 28, 28], [6, 1, 5, 5], [1], [0], [1], 1 },
        { "pointwise", [3, 24, 9, 11], [10, 24, 1, 1], [1], [0], [1], 1 },
        { "pointwise grouped", [2, 24, 9, 11], [12, 6, 1, 1], [1], [0], [1], 4 },
        { "pointwise strided", [2, 16, 9, 11], [5, 16, 1, 1], [2], [0], [1], 1 },
        { "wide kernel over padding", [2, 3, 5, 40], [7, 3, 7, 9], [1, 3], [4], [1], 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Conv2d_matches_a_naive_convolution_on_one_and_two_threads(string name, long[] input, long[] weight, long[] stride, long[] padding, long[] dilation, long groups)
    {
        var x = Tensor.Randn(input);
        var w = Tensor.Randn(weight);
        var b = Tensor.Randn(weight[0]);
        var expected = NaiveConv2d(x, w, b, stride, padding, dilation, groups);
        foreach (int threads in new[] { 1, 2 })
        {
            var actual = TestThreads.With(threads, () => F.Conv2d(x, w, b, stride, padding, dilation, groups));
            AssertClose(expected, actual, 1e-4, $"{name} on {threads} thread(s)");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_micro_kernel_the_machine_has_gives_the_same_convolution(string name, long[] input, long[] weight, long[] stride, long[] padding, long[] dilation, long groups)
    {
        var x = Tensor.Randn(input, DType.Float64);
        var w = Tensor.Randn(weight, DType.Float64);
        var expected = NaiveConv2d(x, w, null, stride, padding, dilation, groups);
        var kernels = new List<ConvMicroKernel> { ConvMicroKernel.Best, ConvMicroKernel.Portable };
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) kernels.Add(ConvMicroKernel.Fma256);
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported && stride[^1] == 1) kernels.Add(ConvMicroKernel.Direct);
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) kernels.Add(ConvMicroKernel.Fma512Rows8);
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) kernels.Add(ConvMicroKernel.FlatPositions);
        // Float32 only: forced on float64 it falls back to another kernel.
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) kernels.Add(ConvMicroKernel.ChannelVector256);
        foreach (var kernel in kernels)
            AssertClose(expected, ConvKernel.Forward("conv2d", 2, x, w, null, stride, padding, null, dilation, groups, kernel), 1e-10, $"{name}, {kernel}");
    }

    public static TheoryData<string, long[], long[], long[], long[], long[], long> DirectShapes => new()
    {
        // name, input, weight, stride, padding, dilation, groups
        { "LeNet first layer, padding 2", [3, 1, 28, 28], [6, 1, 5, 5], [1], [2], [1], 1 },
        { "one image, odd widths", [1, 3, 9, 37], [7, 3, 3, 5], [1], [1, 2], [1], 1 },
        { "one output column", [2, 2, 6, 3], [5, 2, 3, 3], [1], [0], [1], 1 },
        { "output narrower than a vector", [2, 2, 7, 5], [13, 2, 3, 3], [1], [1], [1], 1 },
        { "row stride, dilation, grouped", [2, 6, 15, 21], [9, 2, 3, 3], [2, 1], [1, 3], [2, 3], 3 },
        { "kernel larger than the input", [1, 2, 3, 4], [4, 2, 5, 5], [1], [2], [1], 1 },
    };

    [Theory]
    [MemberData(nameof(DirectShapes))]
    public void The_direct_kernel_matches_the_portable_one_in_float_and_double(string name, long[] input, long[] weight, long[] stride, long[] padding, long[] dilation, long groups)
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported) return;
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var x = Tensor.Randn(input, dtype);
            var w = Tensor.Randn(weight, dtype);
            var b = Tensor.Randn([weight[0]], dtype);
            var expected = ConvKernel.Forward("conv2d", 2, x, w, b, stride, padding, null, dilation, groups, ConvMicroKernel.Portable).To(DType.Float64).ToArray<double>();
            foreach (int threads in new[] { 1, 2 })
            {
                var actual = TestThreads.With(threads, () => ConvKernel.Forward("conv2d", 2, x, w, b, stride, padding, null, dilation, groups, ConvMicroKernel.Direct));
                AssertClose(expected, actual, dtype == DType.Float32 ? 1e-4 : 1e-10, $"{name}, {dtype}, {threads} thread(s)");
            }
        }
    }

    [Fact]
    public void The_direct_kernel_reads_non_contiguous_inputs_and_empty_batches()
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported) return;
        var x = Tensor.Randn(2, 1, 28, 28);
        var w = Tensor.Randn(6, 1, 5, 5);
        var xT = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        Assert.False(xT.IsContiguous);
        var expected = ConvKernel.Forward("conv2d", 2, x, w, null, null, [2], null, null, 1, ConvMicroKernel.Direct);
        Assert.Equal(expected.ToArray<float>(), ConvKernel.Forward("conv2d", 2, xT, w, null, null, [2], null, null, 1, ConvMicroKernel.Direct).ToArray<float>());
        var empty = ConvKernel.Forward("conv2d", 2, Tensor.Randn(0, 1, 28, 28), w, null, null, [2], null, null, 1, ConvMicroKernel.Direct);
        Assert.Equal([0L, 6, 28, 28], empty.Shape);
    }

    [Fact]
    public void Same_padding_keeps_the_size_and_pads_the_odd_zero_at_the_end()
    {
        var x = Tensor.Randn(2, 3, 7, 6);
        var w = Tensor.Randn(4, 3, 4, 2);
        var same = F.Conv2d(x, w, null, null, "same");
        Assert.Equal([2L, 4, 7, 6], same.Shape);
        // Kernel 4 pads 1 above and 2 below, kernel 2 pads 0 left and 1 right: the same as explicit padding of the
        // larger side with the extra first row and column cut off.
        var padded = F.Conv2d(x, w, null, null, [2, 1]);
        var expected = padded.Slice(2, 1, null).Slice(3, 1, null);
        AssertClose(expected.Contiguous().ToArray<float>(), same, 1e-5, "same vs explicit");
        Assert.Equal([2L, 4, 4, 5], F.Conv2d(x, w, null, null, "valid").Shape);
        Assert.Equal([2L, 4, 9], F.Conv1d(Tensor.Randn(2, 3, 9), Tensor.Randn(4, 3, 4), null, null, "same", [3]).Shape);
    }

    [Fact]
    public void Conv_transpose2d_is_the_adjoint_of_conv2d()
    {
        // <conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for any x, y with the same stride, padding, dilation and groups.
        long[] stride = [2, 3], padding = [1, 2], dilation = [2, 1];
        var x = Tensor.Randn([2, 6, 13, 14], DType.Float64);
        var w = Tensor.Randn([4, 3, 3, 4], DType.Float64);
        var y = Tensor.Randn(F.Conv2d(x, w, null, stride, padding, dilation, 2).Shape, DType.Float64);
        var convX = F.Conv2d(x, w, null, stride, padding, dilation, 2);
        // conv2d drops the last (14 + 2·2 − 3 − 1) mod 3 = 2 columns the stride skips; output_padding restores them.
        var transY = F.ConvTranspose2d(y, w, null, stride, padding, [0, 2], 2, dilation);
        Assert.Equal(x.Shape, transY.Shape);
        double left = Dot(convX, y), right = Dot(x, transY);
        Assert.True(Math.Abs(left - right) <= 1e-9 * Math.Max(1, Math.Abs(left)), $"<conv2d(x), y> = {left}, <x, conv_transpose2d(y)> = {right}");
    }

    [Fact]
    public void Fold_is_the_adjoint_of_unfold()
    {
        long[] kernel = [3, 2], dilation = [1, 2], padding = [2, 1], stride = [2, 1];
        var x = Tensor.Randn([2, 3, 9, 8], DType.Float64);
        var cols = F.Unfold(x, kernel, dilation, padding, stride);
        var y = Tensor.Randn(cols.Shape, DType.Float64);
        var folded = F.Fold(y, [9, 8], kernel, dilation, padding, stride);
        double left = Dot(cols, y), right = Dot(x, folded);
        Assert.True(Math.Abs(left - right) <= 1e-9 * Math.Max(1, Math.Abs(left)), $"<unfold(x), y> = {left}, <x, fold(y)> = {right}");
    }

    [Fact]
    public void Conv2d_is_unfold_then_a_matrix_product()
    {
        var x = Tensor.Randn(3, 5, 8, 9);
        var w = Tensor.Randn(7, 5, 3, 3);
        var viaUnfold = w.Reshape(7, 45).Matmul(F.Unfold(x, [3], null, [1], [2])).Reshape(3, 7, 4, 5);
        AssertClose(viaUnfold.ToArray<float>(), F.Conv2d(x, w, null, [2], [1]), 1e-4, "conv2d vs unfold + matmul");
    }

    [Fact]
    public void Non_contiguous_inputs_and_weights_give_the_contiguous_result()
    {
        var x = Tensor.Randn(2, 3, 9, 7);
        var w = Tensor.Randn(4, 3, 3, 3);
        var xT = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        var wT = w.Transpose(0, 1).Contiguous().Transpose(0, 1);
        Assert.False(xT.IsContiguous);
        Assert.False(wT.IsContiguous);
        Assert.Equal(F.Conv2d(x, w, null, [1], [1]).ToArray<float>(), F.Conv2d(xT, wT, null, [1], [1]).ToArray<float>());
        Assert.Equal(F.Unfold(x, [2]).ToArray<float>(), F.Unfold(xT, [2]).ToArray<float>());
    }

    [Fact]
    public void Empty_batches_give_empty_results_of_the_right_shape()
    {
        Assert.Equal([0L, 4, 3, 3], F.Conv2d(Tensor.Zeros(0, 3, 5, 5), Tensor.Zeros(4, 3, 3, 3)).Shape);
        Assert.Equal([0L, 4, 3], F.Conv1d(Tensor.Zeros(0, 3, 5), Tensor.Zeros(4, 3, 3)).Shape);
        Assert.Equal([0L, 3, 7, 7], F.ConvTranspose2d(Tensor.Zeros(0, 4, 5, 5), Tensor.Zeros(4, 3, 3, 3)).Shape);
        Assert.Equal([0L, 12, 16], F.Unfold(Tensor.Zeros(0, 3, 5, 5), [2]).Shape);
        Assert.Equal([0L, 3, 5, 5], F.Fold(Tensor.Zeros(0, 12, 16), [5, 5], [2]).Shape);
    }

    [Fact]
    public void No_input_channels_leaves_the_bias()
    {
        var bias = Tensor.FromArray(new[] { 1f, -2f }, 2);
        var result = F.Conv2d(Tensor.Zeros(1, 0, 4, 4), Tensor.Zeros(2, 0, 3, 3), bias);
        Assert.Equal([1L, 2, 2, 2], result.Shape);
        Assert.Equal([1f, 1, 1, 1, -2, -2, -2, -2], result.ToArray<float>());
    }

    [Fact]
    public void Low_precision_convolutions_are_float32_convolutions_rounded_once()
    {
        var x = Tensor.Randn(2, 4, 6, 6);
        var w = Tensor.Randn(3, 4, 3, 3);
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16 })
        {
            var xl = x.To(dtype);
            var wl = w.To(dtype);
            var expected = F.Conv2d(xl.To(DType.Float32), wl.To(DType.Float32), null, null, [1]).To(dtype);
            var actual = F.Conv2d(xl, wl, null, null, [1]);
            Assert.Equal(dtype, actual.DType);
            Assert.Equal(expected.To(DType.Float32).ToArray<float>(), actual.To(DType.Float32).ToArray<float>());
        }
    }

    [Fact]
    public void Bad_calls_say_what_is_wrong()
    {
        var x = Tensor.Zeros(2, 4, 5, 5);
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros(6, 3, 3, 3)), "conv2d", "expected input[2, 4, 5, 5] to have 3 channels, but got 4 channels", "weight [6, 3, 3, 3]");
        AssertThrows(() => F.Conv2d(Tensor.Zeros(2, 6, 5, 5), Tensor.Zeros(4, 2, 3, 3), groups: 3), "conv2d", "Given groups=3, expected weight to be divisible by 3 at dimension 0");
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros(6, 4, 7, 7)), "conv2d", "Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't be greater than actual input size");
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros(6, 4, 3, 3), stride: [0]), "conv2d", "non-positive stride is not supported", "stride=[0, 0]");
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros(6, 4, 3, 3), stride: [1, 2, 3]), "conv2d", "a list of 2 values", "stride=[1, 2, 3]");
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros(6, 4, 3, 3), null, [2], "same"), "conv2d", "padding='same' is not supported for strided convolutions");
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros(6, 4, 3, 3), null, null, "full"), "conv2d", "Invalid padding string: 'full'");
        AssertThrows(() => F.Conv2d(x, Tensor.Zeros([6, 4, 3, 3], DType.Float64)), "conv2d", "float32", "float64");
        AssertThrows(() => F.Conv1d(x, Tensor.Zeros(6, 4, 3)), "conv1d", "Expected 2D (unbatched) or 3D (batched) input to conv1d", "[2, 4, 5, 5]");
        AssertThrows(() => F.ConvTranspose2d(x, Tensor.Zeros(4, 3, 3, 3), outputPadding: [1]), "conv_transpose2d", "output padding must be smaller than either stride or dilation");
        AssertThrows(() => F.Unfold(x, [6]), "unfold", "calculated shape of the array of sliding blocks as (0, 0)");
        AssertThrows(() => F.Fold(Tensor.Zeros(2, 12, 15), [5, 5], [2]), "fold", "sliding blocks 4 * 4 = 16, but got input.size(2)=15");
        AssertThrows(() => F.Conv2d(Tensor.Zeros([2, 4, 5, 5], DType.Int64), Tensor.Zeros([6, 4, 3, 3], DType.Int64)), "conv2d", "int64");
    }

    private static void AssertThrows(Func<Tensor> call, params string[] mentions)
    {
        var error = Assert.Throws<ArgumentException>(() => call());
        foreach (var m in mentions)
            Assert.True(error.Message.Contains(m, StringComparison.Ordinal), $"\"{error.Message}\" does not mention \"{m}\"");
    }

    private static double Dot(Tensor a, Tensor b)
    {
        double[] x = a.Contiguous().ToArray<double>(), y = b.Contiguous().ToArray<double>();
        Assert.Equal(x.Length, y.Length);
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance, string what)
    {
        double[] got = actual.To(DType.Float64).Contiguous().ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            if (Math.Abs(got[i] - expected[i]) > tolerance * Math.Max(1, Math.Abs(expected[i])))
                Assert.Fail($"{what}: element {i} is {got[i]}, expected {expected[i]}");
        }
    }

    private static void AssertClose(float[] expected, Tensor actual, double tolerance, string what) =>
        AssertClose(expected.Select(v => (double)v).ToArray(), actual, tolerance, what);

    /// <summary>conv2d by its definition, in double: out[n, o, y, x] = b[o] + Σ w[o, c, i, j]·in[n, g·C_g + c, y·s − p + i·d, x·s − p + j·d].</summary>
    private static double[] NaiveConv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups)
    {
        static long At(long[] v, int i) => v.Length == 1 ? v[0] : v[i];
        double[] x = input.To(DType.Float64).ToArray<double>(), w = weight.To(DType.Float64).ToArray<double>();
        double[]? b = bias?.To(DType.Float64).ToArray<double>();
        long n = input.Size(0), cin = input.Size(1), h = input.Size(2), wd = input.Size(3);
        long cout = weight.Size(0), cg = weight.Size(1), kh = weight.Size(2), kw = weight.Size(3), og = cout / groups;
        long oh = (h + 2 * At(padding, 0) - At(dilation, 0) * (kh - 1) - 1) / At(stride, 0) + 1;
        long ow = (wd + 2 * At(padding, 1) - At(dilation, 1) * (kw - 1) - 1) / At(stride, 1) + 1;
        var result = new double[n * cout * oh * ow];
        for (long img = 0; img < n; img++)
            for (long o = 0; o < cout; o++)
                for (long y = 0; y < oh; y++)
                    for (long xo = 0; xo < ow; xo++)
                    {
                        double sum = b?[o] ?? 0;
                        for (long c = 0; c < cg; c++)
                            for (long i = 0; i < kh; i++)
                                for (long j = 0; j < kw; j++)
                                {
                                    long iy = y * At(stride, 0) - At(padding, 0) + i * At(dilation, 0), ix = xo * At(stride, 1) - At(padding, 1) + j * At(dilation, 1);
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    sum += w[((o * cg + c) * kh + i) * kw + j] * x[((img * cin + o / og * cg + c) * h + iy) * wd + ix];
                                }
                        result[((img * cout + o) * oh + y) * ow + xo] = sum;
                    }
        return result;
    }
}
