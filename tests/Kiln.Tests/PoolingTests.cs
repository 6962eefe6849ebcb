using Kiln.IR.Ops;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// Pooling, interpolate and pixel_shuffle through the public API: large inputs (split over threads) checked
/// against the definitions computed here in double precision, views, overloads, dtypes and error messages.
/// The op samples are checked against PyTorch by the OpInfo tests.
/// </summary>
public class PoolingTests
{
    private static Tensor Random(int seed, params long[] shape)
    {
        var rng = new System.Random(seed);
        var data = new float[Shapes.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 8 - 4);
        return Tensor.FromArray(data, shape);
    }

    private static double[] Values(Tensor t) => Enumerable.Range(0, (int)t.Numel).Select(i => t.GetAsDouble(i)).ToArray();

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Numel);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = actual.GetAsDouble(i);
            Assert.True(Math.Abs(a - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: {a}, expected {expected[i]}");
        }
    }

    /// <summary>One window axis: input size, kernel, stride, padding, dilation.</summary>
    private sealed record Axis(long In, long K, long S, long P, long D, bool Ceil)
    {
        public long Out => PoolingRules.OutputSize(In, K, P, S, D, Ceil);
    }

    /// <summary>Max pooling by the definition: every window element inside the input, row by row; the first maximum's position.</summary>
    private static (double[] Values, long[] Indices) NaiveMaxPool(double[] x, long planes, Axis h, Axis w)
    {
        var values = new double[planes * h.Out * w.Out];
        var indices = new long[values.Length];
        int n = 0;
        for (long p = 0; p < planes; p++)
            for (long oh = 0; oh < h.Out; oh++)
                for (long ow = 0; ow < w.Out; ow++, n++)
                {
                    double best = double.NegativeInfinity;
                    long at = -1;
                    for (long i = 0; i < h.K; i++)
                        for (long j = 0; j < w.K; j++)
                        {
                            long ih = oh * h.S - h.P + i * h.D, iw = ow * w.S - w.P + j * w.D;
                            if (ih < 0 || ih >= h.In || iw < 0 || iw >= w.In) continue;
                            double v = x[(p * h.In + ih) * w.In + iw];
                            if (at < 0 || v > best) (best, at) = (v, ih * w.In + iw);
                        }
                    (values[n], indices[n]) = (best, at);
                }
        return (values, indices);
    }

    /// <summary>Average pooling by the definition.</summary>
    private static double[] NaiveAvgPool(double[] x, long planes, Axis h, Axis w, bool countIncludePad, long? divisor)
    {
        var result = new double[planes * h.Out * w.Out];
        int n = 0;
        for (long p = 0; p < planes; p++)
            for (long oh = 0; oh < h.Out; oh++)
                for (long ow = 0; ow < w.Out; ow++, n++)
                {
                    long h0 = oh * h.S - h.P, w0 = ow * w.S - w.P;
                    long h1 = Math.Min(h0 + h.K, h.In + h.P), w1 = Math.Min(w0 + w.K, w.In + w.P);
                    long padded = (h1 - h0) * (w1 - w0), inside = 0;
                    double sum = 0;
                    for (long ih = Math.Max(h0, 0); ih < Math.Min(h1, h.In); ih++)
                        for (long iw = Math.Max(w0, 0); iw < Math.Min(w1, w.In); iw++, inside++)
                            sum += x[(p * h.In + ih) * w.In + iw];
                    result[n] = sum / (divisor ?? (countIncludePad ? padded : inside));
                }
        return result;
    }

    /// <summary>Adaptive pooling by the definition: cell i covers [⌊i·in/out⌋, ⌈(i+1)·in/out⌉).</summary>
    private static (double[] Values, long[] Indices) NaiveAdaptive(double[] x, long planes, long inH, long inW, long outH, long outW, bool max)
    {
        var values = new double[planes * outH * outW];
        var indices = new long[values.Length];
        int n = 0;
        for (long p = 0; p < planes; p++)
            for (long i = 0; i < outH; i++)
                for (long j = 0; j < outW; j++, n++)
                {
                    long h0 = (long)Math.Floor((double)i * inH / outH), h1 = (long)Math.Ceiling((double)(i + 1) * inH / outH);
                    long w0 = (long)Math.Floor((double)j * inW / outW), w1 = (long)Math.Ceiling((double)(j + 1) * inW / outW);
                    double acc = max ? double.NegativeInfinity : 0;
                    for (long ih = h0; ih < h1; ih++)
                        for (long iw = w0; iw < w1; iw++)
                        {
                            double v = x[(p * inH + ih) * inW + iw];
                            if (!max) acc += v;
                            else if (v > acc) (acc, indices[n]) = (v, ih * inW + iw);
                        }
                    values[n] = max ? acc : acc / ((h1 - h0) * (w1 - w0));
                }
        return (values, indices);
    }

    /// <summary>Bilinear interpolation by the definition (sizes given, so the scale is in / out).</summary>
    private static double[] NaiveBilinear(double[] x, long planes, long inH, long inW, long outH, long outW, bool alignCorners)
    {
        static (long I0, long I1, double L1) Source(long o, long input, long output, bool align)
        {
            double pos = align ? (output > 1 ? (double)(input - 1) / (output - 1) * o : 0) : Math.Max((o + 0.5) * input / output - 0.5, 0);
            long i0 = Math.Min((long)pos, input - 1);
            return (i0, Math.Min(i0 + 1, input - 1), pos - i0);
        }
        var result = new double[planes * outH * outW];
        int n = 0;
        for (long p = 0; p < planes; p++)
            for (long i = 0; i < outH; i++)
                for (long j = 0; j < outW; j++, n++)
                {
                    var (r0, r1, a) = Source(i, inH, outH, alignCorners);
                    var (c0, c1, b) = Source(j, inW, outW, alignCorners);
                    double At(long r, long c) => x[(p * inH + r) * inW + c];
                    result[n] = (1 - a) * ((1 - b) * At(r0, c0) + b * At(r0, c1)) + a * ((1 - b) * At(r1, c0) + b * At(r1, c1));
                }
        return result;
    }

    public static TheoryData<long, long, long, long, bool> MaxWindows => new()
    {
        { 3, 2, 1, 1, false },
        { 2, 2, 0, 1, false },
        { 3, 1, 1, 1, false },
        { 3, 2, 1, 2, true },
        { 2, 3, 1, 1, true },
    };

    [Theory]
    [MemberData(nameof(MaxWindows))]
    public void Max_pool_of_a_large_input_matches_the_definition(long kernel, long stride, long padding, long dilation, bool ceil)
    {
        var x = Random(1, 4, 16, 33, 35);
        var h = new Axis(33, kernel, stride, padding, dilation, ceil);
        var w = new Axis(35, kernel, stride, padding, dilation, ceil);
        var (expected, positions) = NaiveMaxPool(Values(x), 64, h, w);

        var values = F.MaxPool2d(x, kernel, stride, padding, dilation, ceil);
        var (withIndices, indices) = F.MaxPool2dWithIndices(x, kernel, stride, padding, dilation, ceil);

        Assert.Equal([4, 16, h.Out, w.Out], values.Shape);
        AssertClose(expected, values, 0);
        AssertClose(expected, withIndices, 0);
        Assert.Equal(positions, indices.ToArray<long>());
    }

    [Theory]
    [InlineData(DType.Float32, 37)]
    [InlineData(DType.Float32, 11)]
    [InlineData(DType.Float32, 6)]
    [InlineData(DType.Float64, 37)]
    [InlineData(DType.Int32, 37)]
    public void Two_by_two_max_pool_lets_the_last_NaN_win_in_every_lane(DType dtype, int width)
    {
        // 37 columns: two 8-output steps, overlapping 4-output steps and an unread last column; 11 and 6: rows of 5 and 3.
        int outWidth = width / 2, plane = 10 * width;
        var data = Values(Random(7, 2, 3, 10, width));
        if (dtype != DType.Int32)
        {
            // Some pairs one row and one column apart, so that windows holding two NaNs show which one wins.
            for (int i = 0; i < data.Length; i += 13) data[i] = double.NaN;
            for (int i = 0; i + width + 1 < data.Length; i += 39) data[i + width + 1] = double.NaN;
        }
        var x = Tensor.FromArray(data.Select(v => (float)v).ToArray(), 2, 3, 10, width).To(dtype);
        var expected = new double[6 * 5 * outWidth];
        var positions = new long[expected.Length];
        for (int p = 0, n = 0; p < 6; p++)
            for (int oh = 0; oh < 5; oh++)
                for (int ow = 0; ow < outWidth; ow++, n++)
                {
                    (expected[n], positions[n]) = (double.NegativeInfinity, -1);
                    foreach (int at in new[] { 0, 1, width, width + 1 }.Select(d => 2 * oh * width + 2 * ow + d))
                    {
                        double v = x.GetAsDouble(p * plane + at);
                        if (positions[n] < 0 || v > expected[n] || double.IsNaN(v)) (expected[n], positions[n]) = (v, at);
                    }
                }

        var result = F.MaxPool2d(x, 2);
        var (withIndices, indices) = F.MaxPool2dWithIndices(x, 2);

        Assert.Equal([2, 3, 5, outWidth], result.Shape);
        Assert.Equal(expected, Values(result));
        Assert.Equal(expected, Values(withIndices));
        Assert.Equal(positions, indices.ToArray<long>());
    }

    [Theory]
    [InlineData(DType.Int32)]
    [InlineData(DType.UInt8)]
    [InlineData(DType.Float64)]
    public void Max_pool_takes_integers_and_doubles(DType dtype)
    {
        var x = Random(2, 2, 3, 9, 10).Abs().Mul(20.0).To(dtype);
        var h = new Axis(9, 3, 2, 1, 1, true);
        var w = new Axis(10, 3, 2, 1, 1, true);
        var (expected, _) = NaiveMaxPool(Values(x), 6, h, w);

        var result = F.MaxPool2d(x, 3, 2, 1, ceilMode: true);

        Assert.Equal(dtype, result.DType);
        AssertClose(expected, result, 0);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(true, 5L)]
    public void Avg_pool_of_a_large_input_matches_the_definition(bool countIncludePad, long? divisor)
    {
        var x = Random(3, 4, 16, 33, 35);
        var h = new Axis(33, 3, 2, 1, 1, true);
        var w = new Axis(35, 3, 2, 1, 1, true);

        var result = F.AvgPool2d(x, 3, 2, 1, ceilMode: true, countIncludePad: countIncludePad, divisorOverride: divisor);

        AssertClose(NaiveAvgPool(Values(x), 64, h, w, countIncludePad, divisor), result, 1e-6);
    }

    [Fact]
    public void Adaptive_pools_of_a_large_input_match_the_definition()
    {
        var x = Random(4, 2, 16, 37, 29);
        var (averages, _) = NaiveAdaptive(Values(x), 32, 37, 29, 5, 7, max: false);
        var (maxima, positions) = NaiveAdaptive(Values(x), 32, 37, 29, 5, 7, max: true);

        AssertClose(averages, F.AdaptiveAvgPool2d(x, [5, 7]), 1e-6);
        AssertClose(maxima, F.AdaptiveMaxPool2d(x, [5, 7]), 0);
        var (values, indices) = F.AdaptiveMaxPool2dWithIndices(x, [5, 7]);
        AssertClose(maxima, values, 0);
        Assert.Equal(positions, indices.ToArray<long>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bilinear_interpolation_of_a_large_input_matches_the_definition(bool alignCorners)
    {
        var x = Random(5, 2, 8, 33, 41);

        var result = F.Interpolate(x, size: [50, 23], mode: "bilinear", alignCorners: alignCorners);

        Assert.Equal([2, 8, 50, 23], result.Shape);
        AssertClose(NaiveBilinear(Values(x), 16, 33, 41, 50, 23, alignCorners), result, 1e-5);
    }

    [Fact]
    public void Nearest_interpolation_repeats_the_source_pixels()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 1, 1, 2, 3);

        var doubled = F.Interpolate(x, scaleFactor: 2.0);
        var shrunk = F.Interpolate(x, size: [1, 2]);

        Assert.Equal([1, 1, 4, 6], doubled.Shape);
        Assert.Equal([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6], Values(doubled));
        Assert.Equal([1, 2], Values(shrunk));
    }

    [Fact]
    public void Views_give_the_results_of_their_contiguous_copies()
    {
        var view = Random(6, 3, 12, 2, 10).Permute(0, 2, 3, 1);
        var dense = view.Contiguous();
        Assert.False(view.IsContiguous);

        Assert.Equal(Values(F.MaxPool2d(dense, 3, 2, 1)), Values(F.MaxPool2d(view, 3, 2, 1)));
        Assert.Equal(Values(F.AvgPool2d(dense, [2, 3])), Values(F.AvgPool2d(view, [2, 3])));
        Assert.Equal(Values(F.AdaptiveAvgPool2d(dense, 4)), Values(F.AdaptiveAvgPool2d(view, 4)));
        Assert.Equal(Values(F.Interpolate(dense, size: [5, 17], mode: "bilinear")), Values(F.Interpolate(view, size: [5, 17], mode: "bilinear")));
        Assert.Equal(Values(F.PixelUnshuffle(dense, 2)), Values(F.PixelUnshuffle(view, 2)));
    }

    [Fact]
    public void One_d_ops_pool_the_last_dim_of_batched_and_unbatched_inputs()
    {
        var x = Tensor.FromArray(new float[] { 1, 5, 2, 8, 3, 0, 4, 6 }, 2, 4);

        Assert.Equal([5, 8, 3, 6], Values(F.MaxPool1d(x, 2)));
        Assert.Equal([3, 5, 1.5, 5], Values(F.AvgPool1d(x, 2)));
        Assert.Equal([1, 8, 3, 6], Values(F.MaxPool1d(x.Unsqueeze(0), 2, stride: 3, padding: 1)));
        var (values, indices) = F.MaxPool1dWithIndices(x, 3, stride: 1);
        Assert.Equal([5, 8, 4, 6], Values(values));
        Assert.Equal([1L, 3, 2, 3], indices.ToArray<long>());
        Assert.Equal([3, 5, 1.5, 5], Values(F.AdaptiveAvgPool1d(x, 2)));
        Assert.Equal([5, 8, 3, 6], Values(F.AdaptiveMaxPool1d(x, 2)));
        Assert.Equal([1L, 3, 0, 3], F.AdaptiveMaxPool1dWithIndices(x, 2).Indices.ToArray<long>());
    }

    [Fact]
    public void Overloads_taking_one_value_and_pairs_agree()
    {
        var x = Random(7, 2, 3, 9, 8);

        Assert.Equal(Values(F.MaxPool2d(x, [3, 3], [2, 2], [1, 1], [1, 1])), Values(F.MaxPool2d(x, 3, 2, 1)));
        Assert.Equal(Values(F.MaxPool2d(x, [2])), Values(F.MaxPool2d(x, 2)));
        Assert.Equal(Values(F.AvgPool2d(x, [3, 3], [2, 2], [1, 1], countIncludePad: false)), Values(F.AvgPool2d(x, 3, 2, 1, countIncludePad: false)));
        Assert.Equal(Values(F.AdaptiveMaxPool2d(x, [4, 4])), Values(F.AdaptiveMaxPool2d(x, 4)));
        Assert.Equal(Values(F.Interpolate(x, size: [6, 6])), Values(F.Interpolate(x, 6)));
        Assert.Equal(Values(F.Interpolate(x, scaleFactor: [1.5, 1.5], mode: "bilinear")), Values(F.Interpolate(x, 1.5, mode: "bilinear")));
    }

    [Fact]
    public void The_design_briefs_example_pools_a_relu()
    {
        var x = Random(8, 64, 8, 8, 8);

        var pooled = F.MaxPool2d(F.Relu(x), 2);

        Assert.Equal([64, 8, 4, 4], pooled.Shape);
        Assert.True(Values(pooled).All(v => v >= 0));
    }

    [Fact]
    public void Float16_results_are_the_rounded_float32_results()
    {
        var x = Random(9, 2, 3, 7, 9).To(DType.Float16);
        var wide = x.To(DType.Float32);

        Assert.Equal(Values(F.AvgPool2d(wide, 3, 2, 1).To(DType.Float16)), Values(F.AvgPool2d(x, 3, 2, 1)));
        Assert.Equal(Values(F.Interpolate(wide, size: [5, 11], mode: "bilinear").To(DType.Float16)), Values(F.Interpolate(x, size: [5, 11], mode: "bilinear")));
        Assert.Equal(DType.Float16, F.AdaptiveMaxPool2d(x, 2).DType);
    }

    [Fact]
    public void Empty_batches_give_empty_results()
    {
        var x = Tensor.Zeros(0, 3, 8, 8);

        Assert.Equal([0, 3, 4, 4], F.MaxPool2d(x, 2).Shape);
        Assert.Equal([0, 3, 4, 4], F.MaxPool2dWithIndices(x, 2).Indices.Shape);
        Assert.Equal([0, 3, 4, 4], F.AvgPool2d(x, 3, 2, 1).Shape);
        Assert.Equal([0, 3, 5, 5], F.AdaptiveAvgPool2d(x, 5).Shape);
        Assert.Equal([0, 3, 16, 16], F.Interpolate(x, scaleFactor: 2.0, mode: "bilinear").Shape);
        Assert.Equal([0, 12, 4, 4], F.PixelUnshuffle(x, 2).Shape);
    }

    [Fact]
    public void Pixel_shuffle_and_unshuffle_are_inverse_copies()
    {
        var x = Tensor.Arange(2 * 8 * 3 * 5, dtype: DType.Int64).Reshape(2, 8, 3, 5);

        var shuffled = F.PixelShuffle(x, 2);
        var identity = F.PixelShuffle(x, 1);

        Assert.Equal([2, 2, 6, 10], shuffled.Shape);
        // out[0, 0, 1, 3] = in[0, 0·4 + 1·2 + 1, 0, 1] = in[0, 3, 0, 1]
        Assert.Equal(x.Select(0, 0).Select(0, 3).Select(0, 0).Select(0, 1).Item<long>(), shuffled.Select(0, 0).Select(0, 0).Select(0, 1).Select(0, 3).Item<long>());
        Assert.Equal(x.ToArray<long>(), F.PixelUnshuffle(shuffled, 2).ToArray<long>());
        Assert.False(identity.SharesStorageWith(x));
        Assert.Equal(x.ToArray<long>(), identity.ToArray<long>());
    }

    [Fact]
    public void Indices_point_at_the_maxima_in_each_plane()
    {
        var x = Random(10, 2, 3, 10, 12);
        var (values, indices) = F.MaxPool2dWithIndices(x, [3, 2], [2, 3], [1, 1], [1, 2]);
        var planes = x.Reshape(6, 120);
        var v = values.Reshape(6, -1);
        var at = indices.Reshape(6, -1);

        for (long p = 0; p < 6; p++)
            for (long o = 0; o < v.Size(1); o++)
                Assert.Equal(v.Select(0, p).Select(0, o).Item<float>(), planes.Select(0, p).Select(0, at.Select(0, p).Select(0, o).Item<long>()).Item<float>());
    }

    public static TheoryData<string, Action, string[]> BadCalls => new()
    {
        { "padding", () => F.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), 2, padding: 2), ["max_pool2d", "padding", "kernel_size 2"] },
        { "too small", () => F.AvgPool2d(Tensor.Zeros(1, 1, 2, 2), 3), ["avg_pool2d", "[1, 1, 2, 2]", "0x0"] },
        { "empty channels", () => F.MaxPool2d(Tensor.Zeros(2, 0, 4, 4), 2), ["max_pool2d", "[2, 0, 4, 4]"] },
        { "rank", () => F.MaxPool1d(Tensor.Zeros(4), 2), ["max_pool1d", "[4]"] },
        { "bool", () => F.MaxPool2d(Tensor.Zeros([1, 1, 4, 4], DType.Bool), 2), ["max_pool2d", "bool"] },
        { "divisor", () => F.AvgPool2d(Tensor.Zeros(1, 1, 4, 4), 2, divisorOverride: 0), ["avg_pool2d", "divisor_override"] },
        { "adaptive size", () => F.AdaptiveAvgPool2d(Tensor.Zeros(1, 1, 4, 4), [2, 2, 2]), ["adaptive_avg_pool2d", "output_size", "[2, 2, 2]"] },
        { "both sizes", () => F.Interpolate(Tensor.Zeros(1, 1, 4, 4), size: [2, 2], scaleFactor: [2.0, 2.0]), ["interpolate", "size", "scale_factor"] },
        { "bilinear rank", () => F.Interpolate(Tensor.Zeros(1, 1, 4), 8, mode: "bilinear"), ["interpolate", "bilinear", "[1, 1, 4]"] },
        { "align corners", () => F.Interpolate(Tensor.Zeros(1, 1, 4), 8, alignCorners: true), ["interpolate", "align_corners", "nearest"] },
        { "mode", () => F.Interpolate(Tensor.Zeros(1, 1, 4, 4), 8, mode: "bicubic"), ["interpolate", "bicubic"] },
        { "shuffle", () => F.PixelShuffle(Tensor.Zeros(1, 3, 2, 2), 2), ["pixel_shuffle", "[1, 3, 2, 2]", "4"] },
        { "unshuffle", () => F.PixelUnshuffle(Tensor.Zeros(1, 1, 3, 4), 2), ["pixel_unshuffle", "[1, 1, 3, 4]", "2"] },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public void Bad_calls_throw_naming_the_op_and_the_problem(string what, Action call, string[] mentions)
    {
        var error = Assert.Throws<ArgumentException>(call);
        foreach (var m in mentions)
            Assert.True(error.Message.Contains(m, StringComparison.Ordinal), $"{what}: \"{error.Message}\" does not mention '{m}'");
    }
}
