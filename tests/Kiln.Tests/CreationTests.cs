namespace Kiln.Tests;

/// <summary>Creation functions and in-place fills; expected values are PyTorch 1.13's where they are not obvious.</summary>
public class CreationTests
{
    public static IEnumerable<object[]> AllDTypes => DTypes.All.Select(d => new object[] { d });

    [Fact]
    public void Zeros_takes_sizes_or_a_shape_with_named_dtype()
    {
        var a = Tensor.Zeros(2, 3);
        Assert.Equal([2L, 3], a.Shape);
        Assert.Equal(DType.Float32, a.DType);
        Assert.All(a.ToArray<float>(), v => Assert.Equal(0f, v));

        var b = Tensor.Zeros([2, 3], dtype: DType.Int64);
        Assert.Equal([2L, 3], b.Shape);
        Assert.Equal(DType.Int64, b.DType);
        Assert.All(b.ToArray<long>(), v => Assert.Equal(0L, v));

        Assert.Equal(DType.Float32, Tensor.Zeros([4]).DType);
        Assert.Equal(DType.Float64, Tensor.Zeros(new long[] { 1, 2 }, DType.Float64).DType);
        Assert.Equal(DType.Float32, Tensor.Zeros([2], device: Device.Cpu).DType);
    }

    [Fact]
    public void No_sizes_make_a_0_d_tensor()
    {
        var z = Tensor.Zeros();
        Assert.Equal(0, z.Dim);
        Assert.Equal(1, z.Numel);
        Assert.Equal(1f, Tensor.Ones().Item<float>());
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Zeros_ones_and_full_work_for_every_dtype(DType dtype)
    {
        Assert.All(Values(Tensor.Zeros([2, 3], dtype)), v => Assert.Equal(0.0, v));
        Assert.All(Values(Tensor.Ones([3, 2], dtype)), v => Assert.Equal(1.0, v));
        var full = Tensor.Full([5], 1L, dtype);
        Assert.Equal(dtype, full.DType);
        Assert.All(Values(full), v => Assert.Equal(1.0, v));
        Assert.Equal(dtype, Tensor.Empty([2], dtype).DType);
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Fill_and_zero_work_for_every_dtype_and_layout(DType dtype)
    {
        var t = Tensor.Zeros([3, 4], dtype);
        t.Fill_(true);
        Assert.All(Values(t), v => Assert.Equal(1.0, v));
        var column = t[.., 1];
        Assert.False(column.IsContiguous);
        column.Zero_();
        Assert.Equal([1.0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1], Values(t));
        t.Zero_();
        Assert.All(Values(t), v => Assert.Equal(0.0, v));
        column.Fill_(1L);
        Assert.Equal([0.0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0], Values(t));
    }

    [Fact]
    public void Full_infers_the_dtype_from_the_value_like_PyTorch()
    {
        var i = Tensor.Full([2], 3);
        Assert.Equal(DType.Int64, i.DType);
        Assert.Equal([3L, 3], i.ToArray<long>());
        var f = Tensor.Full([2], 2.5);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([2.5f, 2.5f], f.ToArray<float>());
        var b = Tensor.Full([2], true);
        Assert.Equal(DType.Bool, b.DType);
        Assert.Equal([true, true], b.ToArray<bool>());
        Assert.Equal([2, 2], Tensor.Full([2], 2.5, DType.Int32).ToArray<int>());
        Assert.Equal([-2, -2], Tensor.Full([2], -2.7, DType.Int32).ToArray<int>());
    }

    [Fact]
    public void Full_converts_large_integers_exactly()
    {
        Assert.Equal([long.MaxValue], Tensor.Full([1], long.MaxValue).ToArray<long>());
        Assert.Equal([long.MinValue], Tensor.Full([1], long.MinValue).ToArray<long>());
        Assert.Equal([(Half)0.5], Tensor.Full([1], 0.5, DType.Float16).ToArray<Half>());
        Assert.Equal([(BFloat16)3.0f], Tensor.Full([1], 3L, DType.BFloat16).ToArray<BFloat16>());
    }

    [Theory]
    [InlineData(300.0, DType.Int8)]
    [InlineData(127.9, DType.Int8)]
    [InlineData(-128.9, DType.Int8)]
    [InlineData(256.0, DType.UInt8)]
    [InlineData(-256.0, DType.UInt8)]
    [InlineData(double.NaN, DType.Int32)]
    [InlineData(2147483647.5, DType.Int32)]
    [InlineData(1e40, DType.Float32)]
    [InlineData(1e10, DType.Float16)]
    [InlineData(3.4e38, DType.BFloat16)]
    public void Fill_refuses_values_that_overflow_like_PyTorch(double value, DType dtype)
    {
        var t = Tensor.Zeros([2], dtype);
        var e = Assert.Throws<ArgumentException>(() => t.Fill_(value));
        Assert.Contains("fill_", e.Message);
        Assert.Contains(dtype.Name(), e.Message);
        Assert.Contains("overflow", e.Message);
        Assert.All(Values(t), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Fill_accepts_what_PyTorch_accepts()
    {
        Assert.Equal([255, 255], Tensor.Zeros([2], DType.UInt8).Fill_(-1).ToArray<byte>());
        Assert.Equal([1, 1], Tensor.Zeros([2], DType.UInt8).Fill_(-255).ToArray<byte>());
        Assert.Equal([int.MaxValue], Tensor.Zeros([1], DType.Int32).Fill_(int.MaxValue).ToArray<int>());
        Assert.Equal([true], Tensor.Zeros([1], DType.Bool).Fill_(double.NaN).ToArray<bool>());
        Assert.Equal([true], Tensor.Zeros([1], DType.Bool).Fill_(2).ToArray<bool>());
        Assert.Equal([float.PositiveInfinity], Tensor.Zeros([1]).Fill_(double.PositiveInfinity).ToArray<float>());
        Assert.True(float.IsNaN(Tensor.Zeros([1]).Fill_(double.NaN).Item<float>()));
        Assert.Equal([2.5f], Tensor.Zeros([1]).Fill_(2.5).ToArray<float>());
    }

    [Fact]
    public void Full_with_an_overflowing_integer_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Full([2], 300, DType.Int8));
        Assert.Contains("full", e.Message);
        Assert.Contains("300", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Full([2], 70000L, DType.Float16));
    }

    [Fact]
    public void Fill_returns_the_tensor_and_writes_through_views()
    {
        var t = Tensor.Zeros(4, 4);
        Assert.Same(t, t.Fill_(1.5));
        Assert.Same(t, t.Zero_());
        t[TensorIndex.Slice(null, null, 2), TensorIndex.Slice(1, null, 2)].Fill_(7.0);
        Assert.Equal([0f, 7, 0, 7, 0, 0, 0, 0, 0, 7, 0, 7, 0, 0, 0, 0], t.ToArray<float>());
        t.T[0].Fill_(3L);
        Assert.Equal([3f, 7, 0, 7, 3, 0, 0, 0, 3, 7, 0, 7, 3, 0, 0, 0], t.ToArray<float>());
    }

    [Fact]
    public void Fill_through_an_expanded_view_writes_the_shared_element()
    {
        var t = Tensor.Zeros(3);
        t[..1].Expand(4, 1).Fill_(5.0);
        Assert.Equal([5f, 0, 0], t.ToArray<float>());
    }

    [Fact]
    public void Negative_sizes_are_rejected_with_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1));
        Assert.Contains("zeros", e.Message);
        Assert.Contains("-1", e.Message);
        Assert.Contains("[2, -1]", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Ones(-3));
        Assert.Throws<ArgumentException>(() => Tensor.Full([-1], 1.0));
        Assert.Throws<ArgumentException>(() => Tensor.Empty(-2));
        Assert.Throws<ArgumentException>(() => Tensor.Rand(-2));
        Assert.Throws<ArgumentException>(() => Tensor.Randint(0, 3, -2));
    }

    [Fact]
    public void Another_device_is_not_supported_yet()
    {
        var e = Assert.Throws<NotSupportedException>(() => Tensor.Zeros([2], device: new Device(DeviceType.Cuda)));
        Assert.Contains("cuda:0", e.Message);
    }

    [Fact]
    public void Zero_sized_tensors_are_allowed()
    {
        Assert.Equal([0L, 3], Tensor.Zeros(0, 3).Shape);
        Assert.Equal(0, Tensor.Ones(0).Numel);
        Assert.Equal(0, Tensor.Full([2, 0], 1.0).Numel);
        Assert.Equal(0, Tensor.Randn(0, 5).Numel);
    }

    [Fact]
    public void Creation_copies_the_shape_array()
    {
        long[] shape = [2, 3];
        var t = Tensor.Zeros(shape);
        shape[0] = 7;
        Assert.Equal([2L, 3], t.Shape);
    }

    [Fact]
    public void Like_functions_keep_shape_and_dtype_unless_told()
    {
        var x = Tensor.Arange(6, dtype: DType.Int32).Reshape(2, 3).T;
        var z = Tensor.ZerosLike(x);
        Assert.Equal([3L, 2], z.Shape);
        Assert.Equal(DType.Int32, z.DType);
        Assert.True(z.IsContiguous);
        Assert.Equal(DType.Float64, Tensor.OnesLike(x, DType.Float64).DType);
        Assert.All(Tensor.OnesLike(x).ToArray<int>(), v => Assert.Equal(1, v));
        Assert.Equal([3L, 2], Tensor.EmptyLike(x).Shape);
        Assert.All(Tensor.FullLike(x, 2.9).ToArray<int>(), v => Assert.Equal(2, v));
        Assert.All(Tensor.FullLike(x, 4L).ToArray<int>(), v => Assert.Equal(4, v));
        Assert.All(Tensor.FullLike(x, true, DType.Bool).ToArray<bool>(), Assert.True);
    }

    [Fact]
    public void Arange_of_integers_is_int64()
    {
        var t = Tensor.Arange(5);
        Assert.Equal(DType.Int64, t.DType);
        Assert.Equal([0L, 1, 2, 3, 4], t.ToArray<long>());
        Assert.Equal([10L, 7, 4, 1], Tensor.Arange(10, 0, -3).ToArray<long>());
        Assert.Equal([0L, 3, 6, 9], Tensor.Arange(0, 10, 3).ToArray<long>());
        Assert.Equal([2L, 3, 4], Tensor.Arange(2, 5).ToArray<long>());
        Assert.Equal(0, Tensor.Arange(5, 5).Numel);
        Assert.Equal([0f, 1, 2, 3, 4], Tensor.Arange(5, dtype: DType.Float32).ToArray<float>());
    }

    [Fact]
    public void Arange_with_a_fraction_is_float32_with_length_ceil_of_the_span_over_step()
    {
        var t = Tensor.Arange(0, 1, 0.1);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(10, t.Numel);
        Assert.Equal([1f, 1.5f, 2f], Tensor.Arange(1, 2.5, 0.5).ToArray<float>());
        Assert.Equal([-1f, -3.5f, -6f, -8.5f], Tensor.Arange(-1, -10, -2.5).ToArray<float>());
        Assert.Equal(10, Tensor.Arange(0, 1e20, 1e19).Numel);
        Assert.Equal([0.0, 0.3, 0.6, 0.8999999999999999], Tensor.Arange(0, 1, 0.3, DType.Float64).ToArray<double>());
        Assert.Equal(DType.Float32, Tensor.Arange(2.5).DType);
        Assert.Equal(3, Tensor.Arange(2.5).Numel);
    }

    [Fact]
    public void Arange_matches_PyTorch_within_an_ulp()
    {
        // torch.arange(-3, 7.3, 0.37).tolist()
        double[] expected = [-3.0, -2.630000114440918, -2.259999990463257, -1.8899999856948853, -1.5199999809265137, -1.149999976158142, -0.7799999713897705, -0.4099999964237213, -0.03999999910593033, 0.33000001311302185, 0.699999988079071, 1.0700000524520874, 1.440000057220459, 1.809999942779541, 2.180000066757202, 2.549999952316284, 2.9200000762939453, 3.2899999618530273, 3.6600000858306885, 4.03000020980835, 4.400000095367432, 4.769999980926514, 5.139999866485596, 5.510000228881836, 5.880000114440918, 6.25, 6.619999885559082, 6.989999771118164];
        var actual = Values(Tensor.Arange(-3, 7.3, 0.37));
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6);
    }

    [Fact]
    public void Arange_with_an_integer_dtype_truncates_the_arguments_like_PyTorch()
    {
        Assert.Equal([0L, 1, 2], Tensor.Arange(0.5, 3, dtype: DType.Int64).ToArray<long>());
        Assert.Equal([-2L, -1, 0, 1], Tensor.Arange(-2.5, 2, dtype: DType.Int64).ToArray<long>());
        Assert.Equal([250, 251, 252, 253, 254, 255, 0, 1, 2, 3], Tensor.Arange(250, 260, dtype: DType.UInt8).ToArray<byte>());
        Assert.Equal([120, 121, 122, 123, 124, 125, 126, 127, -128, -127], Tensor.Arange(120, 130, dtype: DType.Int8).ToArray<sbyte>());
    }

    [Fact]
    public void Arange_with_a_literal_zero_second_argument_reads_it_as_the_end()
    {
        Assert.Equal(0, Tensor.Arange(0, 0).Numel);
        Assert.Contains("sign", Assert.Throws<ArgumentException>(() => Tensor.Arange(5, 0)).Message);
        Assert.Equal([3L, 2, 1], Tensor.Arange(3, 0, -1).ToArray<long>());
        Assert.Equal([5f, 4, 3, 2, 1], Tensor.Arange(5.0, 0, -1).ToArray<float>());
    }

    [Fact]
    public void Arange_rejects_bad_steps_bounds_and_bool()
    {
        Assert.Contains("nonzero", Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5, 0)).Message);
        Assert.Contains("sign", Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5, -1)).Message);
        Assert.Throws<ArgumentException>(() => Tensor.Arange(5, 1, 1));
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0.5, DType.Int64));
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => Tensor.Arange(double.PositiveInfinity)).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => Tensor.Arange(5, DType.Bool)).Message);
    }

    [Fact]
    public void Linspace_is_evenly_spaced_and_inclusive()
    {
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0, 1, 5).ToArray<float>());
        // torch.linspace(-1, 1, 7).tolist()
        double[] expected = [-1.0, -0.6666666269302368, -0.3333333134651184, -2.9802322387695312e-08, 0.3333333134651184, 0.6666666269302368, 1.0];
        var actual = Values(Tensor.Linspace(-1, 1, 7));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 2e-7);
        // torch.linspace(-3.3, 7.7, 12, dtype=torch.float64).tolist()
        double[] expected64 = [-3.3, -2.3, -1.2999999999999998, -0.2999999999999998, 0.7000000000000002, 1.7000000000000002, 2.7, 3.7, 4.7, 5.7, 6.7, 7.7];
        Assert.Equal(expected64, Tensor.Linspace(-3.3, 7.7, 12, DType.Float64).ToArray<double>());
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], Values(Tensor.Linspace(0, 1, 5, DType.Float16)));
    }

    [Fact]
    public void Linspace_with_integers_truncates_like_PyTorch()
    {
        Assert.Equal([0L, 3, 6, 10], Tensor.Linspace(0, 10, 4, DType.Int64).ToArray<long>());
        Assert.Equal([-5, -3, -1, 1, 3, 5], Tensor.Linspace(-5.7, 5.7, 6, DType.Int32).ToArray<int>());
    }

    [Fact]
    public void Linspace_edge_cases()
    {
        Assert.Equal([-1f], Tensor.Linspace(-1, 1, 1).ToArray<float>());
        Assert.Equal([0L], Tensor.Linspace(0, 1, 0).Shape);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Tensor.Linspace(0, 1, -1)).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => Tensor.Linspace(0, 1, 3, DType.Bool)).Message);
    }

    [Fact]
    public void Eye_puts_ones_on_the_diagonal()
    {
        Assert.Equal([1f, 0, 0, 0, 1, 0], Tensor.Eye(2, 3).ToArray<float>());
        Assert.Equal([1f, 0, 0, 1, 0, 0], Tensor.Eye(3, 2).ToArray<float>());
        var b = Tensor.Eye(3, dtype: DType.Bool);
        Assert.Equal([3L, 3], b.Shape);
        Assert.Equal([true, false, false, false, true, false, false, false, true], b.ToArray<bool>());
        Assert.Equal([1L, 0, 0, 1], Tensor.Eye(2, dtype: DType.Int64).ToArray<long>());
        Assert.Equal([0L, 0], Tensor.Eye(0).Shape);
        Assert.Equal([3L, 0], Tensor.Eye(3, 0).Shape);
        Assert.Equal([1f], Tensor.Eye(1).ToArray<float>());
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Tensor.Eye(-1)).Message);
    }

    private static double[] Values(Tensor t) => t.To(DType.Float64).ToArray<double>();
}
