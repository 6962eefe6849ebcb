using F = Kiln.NN.Functional;

namespace Kiln.Tests;

// Expected values come from PyTorch 1.13 (/usr/bin/python3), rounded as it printed them.
public class ReductionTests
{
    private static void AssertClose(double[] expected, Tensor actual, double rtol = 1e-6, double atol = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Numel);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = actual.GetAsDouble(i), e = expected[i];
            if (double.IsNaN(e)) Assert.True(double.IsNaN(a), $"element {i}: expected NaN, got {a}");
            else if (double.IsInfinity(e)) Assert.Equal(e, a);
            else Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e), $"element {i}: expected {e}, got {a}");
        }
    }

    private static Tensor Grid() => Tensor.FromArray(Enumerable.Range(0, 24).Select(i => i * 0.5f - 3).ToArray(), 2, 3, 4);

    [Fact]
    public void Sum_over_outer_and_inner_dims_with_keepdim()
    {
        var x = Grid();
        AssertClose([6, 22, 38], x.Sum([0, 2]));
        Assert.Equal([1, 3, 1], x.Sum([0, -1], keepdim: true).Shape);
        Assert.Equal(DType.Float32, x.Sum().DType);
        AssertClose([66], x.Sum());
    }

    [Fact]
    public void Sum_and_mean_of_a_transposed_view()
    {
        var t = Grid().Transpose(0, 2);
        Assert.False(t.IsContiguous);
        AssertClose([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], t.Sum(-1));
        AssertClose([-0.25, 5.75], t.Mean([0, 1]));
    }

    [Fact]
    public void Integer_and_bool_sums_and_products_are_int64()
    {
        var bytes = Tensor.FromArray(new byte[] { 200, 100 });
        Assert.Equal(DType.Int64, bytes.Sum().DType);
        Assert.Equal(300L, bytes.Sum().Item<long>());
        Assert.Equal(1L, Tensor.FromArray([true, false]).Sum().Item<long>());
        var ints = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal([6L, 120], ints.Prod(1).ToArray<long>());
        Assert.Equal(long.MinValue, Tensor.FromArray([1L << 62, 1L << 62]).Sum().Item<long>());
    }

    [Fact]
    public void Empty_reductions_give_the_identity_or_nan()
    {
        var empty = Tensor.FromArray(Array.Empty<float>(), 0, 3);
        AssertClose([0, 0, 0], empty.Sum(0));
        AssertClose([1, 1, 1], empty.Prod(0));
        AssertClose([double.NaN, double.NaN, double.NaN], empty.Mean(0));
        Assert.Equal([0], empty.Sum(1).Shape);
        AssertClose([double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity], empty.Logsumexp(0));
        Assert.True(empty.All().Item<bool>());
        Assert.False(empty.Any().Item<bool>());
        Assert.Equal([0], empty.Amax(1).Shape);
    }

    [Fact]
    public void Reductions_without_identity_reject_empty_dims_naming_the_op()
    {
        var empty = Tensor.FromArray(Array.Empty<float>(), 0, 3);
        var e = Assert.Throws<ArgumentException>(() => empty.Amax(0));
        Assert.Contains("amax", e.Message);
        Assert.Contains("dim 0", e.Message);
        Assert.Contains("[0, 3]", e.Message);
        Assert.Contains("max", Assert.Throws<ArgumentException>(() => empty.Max(0)).Message);
        Assert.Contains("max", Assert.Throws<ArgumentException>(() => empty.Max()).Message);
        Assert.Contains("argmin", Assert.Throws<ArgumentException>(() => empty.Argmin()).Message);
        Assert.Contains("norm", Assert.Throws<ArgumentException>(() => empty.Norm(double.PositiveInfinity, 0)).Message);
    }

    [Fact]
    public void Float_only_ops_reject_integer_input_naming_the_op_and_dtype()
    {
        var ints = Tensor.FromArray([1L, 2]);
        foreach (var (op, call) in new (string, Func<Tensor>)[]
        {
            ("mean", () => ints.Mean()), ("var", () => ints.Var()), ("std", () => ints.Std()),
            ("norm", () => ints.Norm()), ("softmax", () => ints.Softmax(0)), ("log_softmax", () => ints.LogSoftmax(0)),
        })
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Contains(op, e.Message);
            Assert.Contains("int64", e.Message);
        }
        Assert.Contains("argmax", Assert.Throws<ArgumentException>(() => Tensor.FromArray([true]).Argmax()).Message);
    }

    [Fact]
    public void Bad_and_repeated_dims_are_errors()
    {
        var x = Tensor.FromArray(new float[6], 2, 3);
        Assert.Contains("sum", Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(2)).Message);
        Assert.Contains("appears more than once", Assert.Throws<ArgumentException>(() => x.Sum([0, -2])).Message);
        Assert.Contains("softmax", Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(-3)).Message);
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Amax([0, -1]));
    }

    [Fact]
    public void Zero_dim_inputs_reduce_over_dim_0_or_minus_1()
    {
        var s = Tensor.Scalar(2f);
        Assert.Equal(2f, s.Sum(0).Item<float>());
        Assert.Empty(s.Sum(0, keepdim: true).Shape);
        var (values, indices) = s.Max(-1);
        Assert.Equal(2f, values.Item<float>());
        Assert.Equal(0L, indices.Item<long>());
        Assert.Equal(1f, s.Softmax(0).Item<float>());
        Assert.Equal(0f, s.LogSoftmax(-1).Item<float>());
        Assert.Equal(2L, Tensor.Scalar(2).Cumsum(0).Item<long>());
        Assert.Equal(0L, s.Argmax().Item<long>());
        Assert.True(float.IsNaN(s.Var().Item<float>()));
        Assert.Equal(0f, s.Var(0, correction: 0).Item<float>());
    }

    [Fact]
    public void Max_and_argmax_take_the_first_tie_and_the_first_nan()
    {
        var ties = Tensor.FromArray([3f, 1, 3]);
        Assert.Equal(0L, ties.Max(0).Indices.Item<long>());
        Assert.Equal(0L, ties.Argmax().Item<long>());
        var nans = Tensor.FromArray([1f, float.NaN, 3, float.NaN]);
        var (values, indices) = nans.Min(0);
        Assert.True(float.IsNaN(values.Item<float>()));
        Assert.Equal(1L, indices.Item<long>());
        Assert.Equal(1L, nans.Argmax().Item<long>());
        Assert.True(float.IsNaN(nans.Amax().Item<float>()));
    }

    [Fact]
    public void Amax_propagates_nan_in_long_contiguous_rows()
    {
        var data = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        data[37] = float.NaN;
        Assert.True(float.IsNaN(Tensor.FromArray(data).Amax().Item<float>()));
        Assert.True(float.IsNaN(Tensor.FromArray(data).Amin().Item<float>()));
        data[37] = -5;
        Assert.Equal(99f, Tensor.FromArray(data).Max().Item<float>());
        Assert.Equal(-5f, Tensor.FromArray(data).Min().Item<float>());
    }

    [Fact]
    public void Argmax_without_dim_flattens_and_keepdim_keeps_every_dim()
    {
        var x = Tensor.FromArray([1, 9, 3, 4, 9, 0], 2, 3).Transpose(0, 1);  // [[1, 4], [9, 9], [3, 0]]
        Assert.Equal(2L, x.Argmax().Item<long>());
        Assert.Equal([1, 1], x.Argmax(keepdim: true).Shape);
        Assert.Equal([1L, 1], x.Argmax(0).ToArray<long>());
        Assert.Equal([0L, 0, 1], x.Argmin(1, keepdim: true).ToArray<long>());
        Assert.Equal([3, 1], x.Argmin(1, keepdim: true).Shape);
    }

    [Fact]
    public void Max_min_and_amax_keep_the_dtype_including_bool()
    {
        var b = Tensor.FromArray([false, true, true, true], 2, 2);
        var (values, indices) = b.Max(1);
        Assert.Equal(DType.Bool, values.DType);
        Assert.Equal([true, true], values.ToArray<bool>());
        Assert.Equal([1L, 0], indices.ToArray<long>());
        Assert.Equal(DType.Bool, b.Amin().DType);
        Assert.False(b.Amin().Item<bool>());
        var h = Tensor.FromArray(new[] { (Half)1.5, (Half)(-2) });
        Assert.Equal(DType.Float16, h.Amax().DType);
        Assert.Equal((Half)1.5, h.Amax().Item<Half>());
    }

    [Fact]
    public void Var_and_std_follow_the_correction_including_past_n()
    {
        var a = Tensor.FromArray([1.5f, -2, 7, 7, 0, 3, -1, 3], 2, 4);
        AssertClose([19.5625, 4.25], a.Var(1));
        AssertClose([14.671875, 3.1875], a.Var(1, correction: 0));
        AssertClose([13.411458015441895], a.Var(correction: 2));
        AssertClose([1.0606601238250732, 3.535533905029297, 5.656854152679443, 2.8284270763397217], a.Std(0));
        var pair = Tensor.FromArray([1f, 2]);
        Assert.Equal(float.PositiveInfinity, pair.Var(correction: 2).Item<float>());
        Assert.Equal(float.PositiveInfinity, pair.Std(correction: 3).Item<float>());
        Assert.True(float.IsNaN(Tensor.FromArray([1f, 1]).Var(correction: 2).Item<float>()));
    }

    [Fact]
    public void Logsumexp_is_stable_and_promotes_integers_to_float32()
    {
        var a = Tensor.FromArray([1.5f, -2, 7, 7, 0, 3, -1, 3], 2, 4);
        AssertClose([7.695250034332275, 3.7266316413879395], a.Logsumexp(1));
        AssertClose([7.713973045349121], a.Logsumexp([0, 1]));
        var ints = Tensor.FromArray([1L, 2, 3, 4], 2, 2).Logsumexp(0);
        Assert.Equal(DType.Float32, ints.DType);
        AssertClose([3.1269280910491943, 4.126927852630615], ints);
        AssertClose([1000 + Math.Log(2)], Tensor.FromArray([1000f, 1000]).Logsumexp(0), rtol: 1e-6);
        AssertClose([double.PositiveInfinity], Tensor.FromArray([float.PositiveInfinity, 1]).Logsumexp(0));
        AssertClose([double.NegativeInfinity], Tensor.FromArray([float.NegativeInfinity, float.NegativeInfinity]).Logsumexp(0));
    }

    [Fact]
    public void All_and_any_give_bool_or_uint8_for_uint8()
    {
        var f = Tensor.FromArray([0f, 2, float.NaN, 1], 2, 2);
        Assert.Equal([false, true], f.All(1).ToArray<bool>());
        Assert.Equal([true, true], f.Any(1).ToArray<bool>());
        var u = Tensor.FromArray(new byte[] { 1, 2 });
        Assert.Equal(DType.UInt8, u.All().DType);
        Assert.Equal((byte)1, u.All().Item<byte>());
        Assert.Equal([1, 1], Tensor.FromArray(new sbyte[] { 1, 0 }, 1, 2).Any(1, keepdim: true).Shape);
    }

    [Theory]
    [InlineData(2, 5.244044303894043)]
    [InlineData(1, 9.0)]
    [InlineData(double.PositiveInfinity, 4.0)]
    [InlineData(double.NegativeInfinity, 0.0)]
    [InlineData(0, 4.0)]
    [InlineData(3, 4.5548834800720215)]
    [InlineData(-1, 0.0)]
    [InlineData(0.5, 32.07978820800781)]
    public void Vector_norm_of_each_order(double p, double expected)
    {
        var v = Tensor.FromArray([3f, -4, 0, 1.5f, -0.5f]);
        AssertClose([expected], v.Norm(p));
    }

    [Fact]
    public void Norm_over_a_dim_overflows_in_float32_like_pytorch()
    {
        Assert.Equal(float.PositiveInfinity, Tensor.FromArray([3e20f, 4e20f]).Norm().Item<float>());
        AssertClose([5, 5], Tensor.FromArray([3.0, 4, 4, 3], 2, 2).Norm(2, 1));
    }

    [Fact]
    public void Softmax_and_log_softmax_along_each_dim_of_a_transposed_view()
    {
        var m = Tensor.FromArray([1f, 2, 3, -1, 0, 1], 2, 3).Transpose(0, 1);
        AssertClose([0.09003057330846786, 0.09003057330846786, 0.2447284758090973, 0.2447284758090973, 0.6652409434318542, 0.6652409434318542], m.Softmax(0));
        AssertClose([-0.12692804634571075, -2.1269280910491943, -0.12692804634571075, -2.1269280910491943, -0.12692804634571075, -2.1269280910491943], F.LogSoftmax(m, 1));
        AssertClose([0.5, 0.5], F.Softmax(Tensor.FromArray([1000.0, 1000.0]), 0));
        AssertClose([double.NaN, double.NaN], Tensor.FromArray([float.NegativeInfinity, float.NegativeInfinity]).Softmax(0));
    }

    [Fact]
    public void Softmax_of_bfloat16_rounds_once_from_float32()
    {
        var b = Tensor.FromArray([0.1f, 0.2f, 0.3f, 0.7f]).To(DType.BFloat16);
        var s = b.Softmax(0);
        Assert.Equal(DType.BFloat16, s.DType);
        AssertClose([0.1943359375, 0.21484375, 0.2373046875, 0.353515625], s, rtol: 0, atol: 0);
    }

    [Fact]
    public void Cumsum_and_cumprod()
    {
        var ints = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3).Cumsum(1);
        Assert.Equal(DType.Int64, ints.DType);
        Assert.Equal([1L, 3, 6, 4, 9, 15], ints.ToArray<long>());
        var m = Tensor.FromArray([1f, 2, 3, -1, 0, 1], 2, 3).Transpose(0, 1);
        AssertClose([1, -1, 2, 0, 6, 0], m.Cumprod(0));
        Assert.Equal([1L, 2], Tensor.FromArray([true, true]).Cumsum(0).ToArray<long>());
    }

    [Fact]
    public void Half_and_bfloat16_accumulate_in_float32()
    {
        var h = Tensor.FromArray([0.1f, 0.2f, 0.3f, 0.7f]).To(DType.Float16);
        Assert.Equal(DType.Float16, h.Sum().DType);
        Assert.Equal(1.2998046875, (double)h.Sum().Item<Half>());
        Assert.Equal(0.324951171875, (double)h.Mean().Item<Half>());
        var b = Tensor.FromArray([0.1f, 0.2f, 0.3f, 0.7f]).To(DType.BFloat16);
        Assert.Equal(1.296875, (double)b.Sum().Item<BFloat16>());
        Assert.Equal(0.32421875, (double)b.Mean().Item<BFloat16>());
    }

    [Fact]
    public void A_million_float32_sum_stays_close_to_the_exact_sum()
    {
        var rng = new System.Random(7);
        var data = new float[1 << 20];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        double exact = data.Sum(v => (double)v);
        var x = Tensor.FromArray(data);
        Assert.True(Math.Abs(x.Sum().Item<float>() - exact) <= 1e-6 * exact, "contiguous sum drifted");
        // Reducing the outer dim of a 1024 x 1024 view sums strided columns.
        var columns = x.View(1024, 1024).Sum(0).ToArray<float>();
        for (int c = 0; c < 1024; c += 97)
        {
            double col = 0;
            for (int r = 0; r < 1024; r++) col += data[r * 1024 + c];
            Assert.True(Math.Abs(columns[c] - col) <= 1e-5 * col, $"column {c} drifted");
        }
        Assert.True(Math.Abs(x.View(1024, 1024).Transpose(0, 1).Sum().Item<float>() - exact) <= 1e-6 * exact, "transposed full sum drifted");
    }

    [Fact]
    public void Threaded_reductions_match_single_threaded_ones()
    {
        var rng = new System.Random(3);
        var data = Enumerable.Range(0, 300_000).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var x = Tensor.FromArray(data, 3, 100_000);
        int saved = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 1;
            var single = (x.Amax(1).ToArray<float>(), x.Argmin(1).ToArray<long>(), x.Var(1).ToArray<float>(), x.Sum(0).ToArray<float>(), x.Argmax().Item<long>(), x.Sum().Item<float>());
            Threading.NumThreads = 2;
            var threaded = (x.Amax(1).ToArray<float>(), x.Argmin(1).ToArray<long>(), x.Var(1).ToArray<float>(), x.Sum(0).ToArray<float>(), x.Argmax().Item<long>(), x.Sum().Item<float>());
            Assert.Equal(single.Item1, threaded.Item1);
            Assert.Equal(single.Item2, threaded.Item2);
            for (int i = 0; i < 3; i++) Assert.Equal(single.Item3[i], threaded.Item3[i], 1e-5f);
            Assert.Equal(single.Item4, threaded.Item4);
            Assert.Equal(single.Item5, threaded.Item5);
            Assert.Equal(single.Item6, threaded.Item6, 1e-2f);
            Assert.Equal(Array.IndexOf(data, data.Max()), threaded.Item5);
        }
        finally
        {
            Threading.NumThreads = saved;
        }
    }
    [Fact]
    public void Argmax_on_long_rows_takes_the_first_tie_first_nan_and_first_zero_of_either_sign()
    {
        var negatives = Enumerable.Range(1, 40).Select(i => -(float)i).ToArray();
        negatives[5] = -0f;
        negatives[9] = 0f;
        Assert.Equal(5L, Tensor.FromArray(negatives).Argmax().Item<long>());
        Assert.Equal(5L, Tensor.FromArray(negatives).Max(0).Indices.Item<long>());
        var ramp = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        ramp[3] = ramp[30] = 100;
        Assert.Equal(3L, Tensor.FromArray(ramp).Argmax().Item<long>());
        ramp[20] = ramp[25] = float.NaN;
        Assert.Equal(20L, Tensor.FromArray(ramp).Argmax().Item<long>());
        Assert.Equal(20L, Tensor.FromArray(ramp).Argmin().Item<long>());
    }

    [Fact]
    public void Softmax_along_outer_dims_matches_a_direct_computation()
    {
        var rng = new System.Random(5);
        var data = Enumerable.Range(0, 7 * 3 * 20).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray();
        data[4] = float.NaN;                      // column (·, 0, 4) of dim 0 turns NaN
        data[60 + 7] = float.NegativeInfinity;    // a -inf term contributes exp(-inf) = 0
        var x = Tensor.FromArray(data, 7, 3, 20);
        foreach (int dim in new[] { 0, 1 })
        {
            foreach (bool log in new[] { false, true })
            {
                var actual = log ? x.LogSoftmax(dim) : x.Softmax(dim);
                var expected = new double[data.Length];
                long[] strides = [60, 20, 1];
                long n = x.Size(dim);
                for (int i = 0; i < data.Length; i++)
                {
                    long along = i / strides[dim] % n, start = i - along * strides[dim];
                    var line = Enumerable.Range(0, (int)n).Select(k => (double)data[start + k * strides[dim]]).ToArray();
                    double max = line.Any(double.IsNaN) ? double.NaN : line.Max();
                    double sum = line.Sum(v => Math.Exp(v - max));
                    expected[i] = log ? data[i] - max - Math.Log(sum) : Math.Exp(data[i] - max) / sum;
                }
                AssertClose(expected, actual, rtol: 1e-5, atol: 1e-6);
            }
        }
    }
}
