using static Kiln.Tests.ElementwiseMathTests;

namespace Kiln.Tests;

// Expected values come from PyTorch 1.13 (/usr/bin/python3), as noted per test.
public class ElementwiseBinaryTests
{
    [Theory]
    [InlineData("trunc")]
    [InlineData("floor")]
    public void Integer_division_by_zero_is_torchs_zero_division_error(string mode)
    {
        var a = Tensor.FromArray([1L, 2L]);
        var b = Tensor.FromArray([0L, 1L]);
        var e = Assert.Throws<ArgumentException>(() => a.Div(b, mode));
        Assert.Contains("div", e.Message);
        Assert.Contains("ZeroDivisionError", e.Message);
        Assert.Contains("ZeroDivisionError", Assert.Throws<ArgumentException>(() => a.Remainder(b)).Message);
        Assert.Contains("fmod", Assert.Throws<ArgumentException>(() => a.Fmod(0L)).Message);
        // True division of integers is float division: 1 / 0 is inf.
        Assert.Equal([float.PositiveInfinity, 2f], a.Div(b).ToArray<float>());
    }

    [Fact]
    public void Division_by_zero_in_a_large_parallel_kernel_still_names_the_op()
    {
        var a = Tensor.FromArray(Enumerable.Range(1, 200_000).Select(i => (long)i).ToArray());
        var b = Tensor.FromArray(Enumerable.Range(0, 200_000).Select(i => i == 150_000 ? 0L : 3L).ToArray());
        var e = Assert.Throws<ArgumentException>(() => a.Remainder(b));
        Assert.Contains("remainder", e.Message);
        Assert.IsType<DivideByZeroException>(e.InnerException);
    }

    [Fact]
    public void Minimum_integer_divided_by_minus_one_wraps_instead_of_throwing()
    {
        // torch: tensor([-128, 5], dtype=int8).div(tensor([-1, -1], dtype=int8), rounding_mode='trunc') == [-128, -5]
        var a = Tensor.FromArray([(sbyte)-128, (sbyte)5]);
        var minusOne = Tensor.FromArray([(sbyte)-1, (sbyte)-1]);
        Assert.Equal([(sbyte)-128, (sbyte)-5], a.Div(minusOne, "trunc").ToArray<sbyte>());
        Assert.Equal([(sbyte)-128, (sbyte)-5], a.Div(minusOne, "floor").ToArray<sbyte>());
        Assert.Equal([(sbyte)0, (sbyte)0], a.Remainder(minusOne).ToArray<sbyte>());
        // int64 as well (PyTorch itself crashes with SIGFPE here; Kiln wraps as int8 does).
        var big = Tensor.FromArray([long.MinValue]);
        Assert.Equal([long.MinValue], big.Div(-1L, "floor").ToArray<long>());
        Assert.Equal([0L], big.Fmod(-1L).ToArray<long>());
    }

    [Fact]
    public void Remainder_takes_the_divisors_sign_and_fmod_the_dividends()
    {
        var a = Tensor.FromArray([-7L, 7L, -7L, 7L]);
        var b = Tensor.FromArray([2L, -2L, -2L, 2L]);
        Assert.Equal([1L, -1L, -1L, 1L], a.Remainder(b).ToArray<long>());
        Assert.Equal([-1L, 1L, -1L, 1L], a.Fmod(b).ToArray<long>());
        Assert.Equal([2, 1], (Tensor.FromArray([5, -5]) % 3L).ToArray<int>());
        // torch.remainder(tensor([-7.5, 7.5, 0., 1.]), tensor([2., -2., 2., -inf])) == [0.5, -0.5, 0, -inf]
        var f = Tensor.FromArray([-7.5f, 7.5f, 0f, 1f]).Remainder(Tensor.FromArray([2f, -2f, 2f, float.NegativeInfinity]));
        Assert.Equal([0.5f, -0.5f, 0f, float.NegativeInfinity], f.ToArray<float>());
    }

    [Fact]
    public void Floor_division_of_floats_follows_torch_at_the_edges()
    {
        // torch.div(tensor([-7.5, 7.5, 1., -1., 0.]), tensor([2., -2., 0., 0., -3.]), rounding_mode='floor')
        var r = Tensor.FromArray([-7.5f, 7.5f, 1f, -1f, 0f]).Div(Tensor.FromArray([2f, -2f, 0f, 0f, -3f]), "floor").ToArray<float>();
        Assert.Equal([-4f, -4f, float.PositiveInfinity, float.NegativeInfinity, -0f], r);
        Assert.True(float.IsNegative(r[4]));
    }

    [Fact]
    public void Integer_pow_stays_integer_and_wraps()
    {
        // torch.pow(tensor([2, 3], dtype=int8), tensor([7, 5], dtype=int8)) == [-128, -13]
        Assert.Equal([(sbyte)-128, (sbyte)-13], Tensor.FromArray([(sbyte)2, (sbyte)3]).Pow(Tensor.FromArray([(sbyte)7, (sbyte)5])).ToArray<sbyte>());
        // torch.pow(tensor([1, -1, 0, 2]), tensor([-1, -3, 1, 0])) == [1, -1, 0, 1]; 2 ** -1 is 0
        Assert.Equal([1L, -1L, 0L, 1L], Tensor.FromArray([1L, -1L, 0L, 2L]).Pow(Tensor.FromArray([-1L, -3L, 1L, 0L])).ToArray<long>());
        Assert.Equal([0L, 27L], Tensor.FromArray([1L << 62, 3L]).Pow(3L).ToArray<long>());
        Assert.Equal([1.5f, 2f], Tensor.FromArray([2.25f, 4f]).Pow(0.5).ToArray<float>());
        Assert.Equal(DType.Float32, Tensor.FromArray([2L]).Pow(0.5).DType);
    }

    [Fact]
    public void Pow_rejects_negative_integer_scalar_exponents_and_bool_bases()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([2L, 3L]).Pow(-1L));
        Assert.Contains("pow", e.Message);
        Assert.Contains("negative", e.Message);
        Assert.Equal([0.5f], Tensor.FromArray([2f]).Pow(-1L).ToArray<float>());
        e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([true]).Pow(Tensor.FromArray([true])));
        Assert.Contains("bool", e.Message);
        // A bool base with an integer exponent promotes to int64, as in torch.
        Assert.Equal([1L, 0L], Tensor.FromArray([true, false]).Pow(Tensor.FromArray([2L, 2L])).ToArray<long>());
    }

    [Fact]
    public void Scalar_base_pow_and_scalar_numerator_division()
    {
        Assert.Equal([4f, 8f], Tensor.Pow(2, Tensor.FromArray([2f, 3f])).ToArray<float>());
        Assert.Equal([0.5f, 0.25f], (1.0 / Tensor.FromArray([2, 4])).ToArray<float>());
    }

    [Fact]
    public void Maximum_and_minimum_propagate_nan()
    {
        var a = Tensor.FromArray([1f, float.NaN, 2f]);
        var b = Tensor.FromArray([float.NaN, 1f, 3f]);
        Assert.Equal([float.NaN, float.NaN, 3f], a.Maximum(b).ToArray<float>());
        Assert.Equal([float.NaN, float.NaN, 2f], a.Minimum(b).ToArray<float>());
        // Element-by-element path (a broadcast, strided operand) agrees.
        var strided = Tensor.FromArray([float.NaN, 0f, 1f, 0f, 3f, 0f]).Slice(0, step: 2);
        Assert.Equal([float.NaN, float.NaN, 3f], a.Maximum(strided).ToArray<float>());
        // Mixed dtypes promote.
        Assert.Equal([1.5f, 2f], Tensor.FromArray([true, false]).Maximum(Tensor.FromArray([1.5f, 2f])).ToArray<float>());
    }

    [Fact]
    public void Atan2_of_integers_is_float32()
    {
        var r = Tensor.FromArray([1, 2]).Atan2(Tensor.FromArray([1, -2]));
        Assert.Equal(DType.Float32, r.DType);
        AssertClose([0.7853981852531433, 2.356194496154785], Floats(r));
    }

    [Fact]
    public void Sub_rejects_any_bool_operand()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1L]) - Tensor.FromArray([true]));
        Assert.Contains("sub", e.Message);
        Assert.Contains("bool", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([true]).Sub(1L));
    }

    [Fact]
    public void Lerp_broadcasts_and_requires_one_dtype()
    {
        // torch.lerp(tensor([1., 2.]), tensor([3., 4.]), tensor([[0.25], [2.]])) == [[1.5, 2.5], [5, 6]]
        var r = Tensor.FromArray([1f, 2f]).Lerp(Tensor.FromArray([3f, 4f]), Tensor.FromArray([0.25f, 2f], 2, 1));
        Assert.Equal([2L, 2L], r.Shape);
        Assert.Equal([1.5f, 2.5f, 5f, 6f], r.ToArray<float>());
        // Weight 1 gives exactly the end point.
        Assert.Equal([0.3f], Tensor.FromArray([7f]).Lerp(Tensor.FromArray([0.3f]), 1.0).ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f]).Lerp(Tensor.FromArray([1.0]), 0.5));
        Assert.Contains("lerp", e.Message);
        Assert.Contains("float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1L]).Lerp(Tensor.FromArray([2L]), 0.5));
        Assert.Contains("int64", e.Message);
    }

    [Fact]
    public void In_place_binary_ops_check_dtype_and_shape()
    {
        var x = Tensor.FromArray([5L, 7L]);
        x.Remainder_(Tensor.FromArray([3L]));
        Assert.Equal([2L, 1L], x.ToArray<long>());
        x.Pow_(2L);
        Assert.Equal([4L, 1L], x.ToArray<long>());
        Assert.Throws<InvalidOperationException>(() => x.Pow_(0.5));
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f]).Mul_(Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2)));
        Assert.Contains("mul", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void Half_plus_double_scalar_tensor_rounds_the_scalar_to_half_first()
    {
        // torch: tensor([1.], dtype=float16) + tensor(0.1, dtype=float64) computes float16(0.1) + 1 in float32.
        var r = Tensor.FromArray([(Half)1f]) + Tensor.Scalar(0.1);
        Assert.Equal(DType.Float16, r.DType);
        Assert.Equal([(Half)(1f + (float)(Half)0.1)], r.ToArray<Half>());
    }

    [Fact]
    public void In_place_op_reading_an_overlapping_view_of_its_output_sees_the_old_values()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f]);
        // x[1..] += x[..3] must add the original neighbours, not ones already updated.
        x.Slice(0, 1).Add_(x.Slice(0, 0, 3));
        Assert.Equal([1f, 3f, 5f, 7f], x.ToArray<float>());
        var m = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        m.Add_(m.Transpose(0, 1));
        Assert.Equal([2f, 5f, 5f, 8f], m.ToArray<float>());
    }

    [Fact]
    public void In_place_op_into_an_expanded_view_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f]).Expand(3, 2).Add_(1.0));
        Assert.Contains("add_", e.Message);
        Assert.Contains("[3, 2]", e.Message);
    }

    [Fact]
    public void Zero_d_operands_are_cast_to_the_common_dtype_but_float_ops_on_integers_take_them_as_floats()
    {
        var small = Tensor.FromArray([(sbyte)50]);
        var big = Tensor.Scalar(300L);
        // torch.lt(tensor([50], dtype=int8), tensor(300)) is False: 300 becomes int8 44.
        Assert.Equal([false], small.Lt(big).ToArray<bool>());
        Assert.Equal([(sbyte)94], (small + big).ToArray<sbyte>());
        // torch.atan2(tensor([1], dtype=int8), tensor(300)) == 0.0033: the float op sees 300.
        AssertClose([Math.Atan2(1, 300)], Floats(Tensor.FromArray([(sbyte)1]).Atan2(big)));
    }
}
