using Kiln.NN;

namespace Kiln.Tests;

// Expected values come from PyTorch 1.13 (/usr/bin/python3), as noted per test.
public class ElementwiseMathTests
{
    /// <summary>Asserts |actual - expected| ≤ atol + rtol·|expected| element by element (NaN matches NaN).</summary>
    internal static void AssertClose(double[] expected, double[] actual, double rtol = 1.3e-6, double atol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) && double.IsNaN(actual[i])) continue;
            if (expected[i] == actual[i]) continue;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i]),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    internal static double[] Floats(Tensor t) => t.To(DType.Float64).ToArray<double>();

    [Fact]
    public void Round_is_half_to_even()
    {
        var x = Tensor.FromArray([0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4999f]);
        Assert.Equal([0f, 2f, 2f, -0f, -2f, 2f], x.Round().ToArray<float>());
        // The element-by-element path (a transposed view) agrees with the vectorised one.
        var m = Tensor.FromArray([0.5, 1.5, 2.5, 3.5, -2.5, -3.5], 2, 3).Transpose(0, 1);
        Assert.Equal([0.0, 4, 2, -2, 2, -4], m.Round().ToArray<double>());
    }

    [Fact]
    public void Rounding_ops_return_integer_tensors_unchanged_and_reject_bool()
    {
        var x = Tensor.FromArray([-3, 0, 7]);
        var floor = x.Floor();
        Assert.Equal(DType.Int32, floor.DType);
        Assert.Equal([-3, 0, 7], floor.ToArray<int>());
        Assert.False(floor.SharesStorageWith(x));
        Assert.Same(x, x.Ceil_());
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([true]).Trunc());
        Assert.Contains("trunc", e.Message);
        Assert.Contains("bool", e.Message);
    }

    [Fact]
    public void Integer_abs_and_neg_wrap_like_cpp()
    {
        Assert.Equal([(sbyte)-128, (sbyte)5], Tensor.FromArray([(sbyte)-128, (sbyte)-5]).Abs().ToArray<sbyte>());
        Assert.Equal([(byte)255, (byte)0], Tensor.FromArray([(byte)1, (byte)0]).Neg().ToArray<byte>());
        Assert.Equal([long.MinValue], Tensor.FromArray([long.MinValue]).Neg().ToArray<long>());
    }

    [Fact]
    public void Neg_of_bool_points_to_logical_not()
    {
        var e = Assert.Throws<ArgumentException>(() => -Tensor.FromArray([true, false]));
        Assert.Contains("neg", e.Message);
        Assert.Contains("LogicalNot", e.Message);
    }

    [Fact]
    public void Sign_keeps_bool_and_maps_nan_to_zero()
    {
        Assert.Equal([true, false], Tensor.FromArray([true, false]).Sign().ToArray<bool>());
        Assert.Equal([0f, 0f, 0f, -1f, 1f], Tensor.FromArray([0f, -0f, float.NaN, -3f, 2f]).Sign().ToArray<float>());
    }

    [Fact]
    public void Square_of_bool_is_int64()
    {
        var r = Tensor.FromArray([true, false]).Square();
        Assert.Equal(DType.Int64, r.DType);
        Assert.Equal([1L, 0], r.ToArray<long>());
        Assert.Throws<InvalidOperationException>(() => Tensor.FromArray([true]).Square_());
    }

    [Fact]
    public void Float_ops_promote_integers_to_float32_and_their_in_place_forms_reject_integers()
    {
        var r = Tensor.FromArray([3L, -1L]).Exp2();
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal([8f, 0.5f], r.ToArray<float>());
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.FromArray([1L, 2L]).Exp_());
        Assert.Contains("exp", e.Message);
        Assert.Contains("int64", e.Message);
    }

    [Fact]
    public void In_place_ops_write_through_strided_views()
    {
        var x = Tensor.FromArray([-1f, 2f, -3f, 4f, -5f, 6f], 2, 3);
        var column = x.Select(1, 0);
        Assert.Same(column, column.Relu_());
        Assert.Equal([0f, 2f, -3f, 4f, -5f, 6f], x.ToArray<float>());
        x.Transpose(0, 1).Abs_();
        Assert.Equal([0f, 2f, 3f, 4f, 5f, 6f], x.ToArray<float>());
    }

    [Fact]
    public void Half_in_place_exp_rounds_back_to_half()
    {
        var x = Tensor.FromArray([(Half)0f, (Half)1f]);
        x.Exp_();
        Assert.Equal([(Half)1f, (Half)2.719f], x.ToArray<Half>());
    }

    [Fact]
    public void Erfc_keeps_relative_accuracy_in_the_tail()
    {
        // torch.erfc(torch.tensor([10., 5., -3., 26.], dtype=torch.float64))
        var r = Tensor.FromArray([10.0, 5.0, -3.0, 26.0]).Erfc().ToArray<double>();
        AssertClose([2.088487583762545e-45, 1.537459794428035e-12, 1.9999779095030015, 5.663192408856143e-296], r, 1e-14, 0);
        // float32: torch.erfc(torch.tensor([5., 9.]))
        AssertClose([1.5374598295869735e-12, 4.137031708073991e-37], Floats(Tensor.FromArray([5f, 9f]).Erfc()), 1e-6, 0);
    }

    [Fact]
    public void Log1p_and_expm1_keep_relative_accuracy_near_zero()
    {
        var x = Tensor.FromArray([1e-10, -1e-12, 3e-8]);
        AssertClose([9.999999999500001e-11, -1.0000000000005e-12, 2.9999999550000006e-08], x.Log1p().ToArray<double>(), 1e-15, 0);
        AssertClose([1.00000000005e-10, -9.999999999995e-13, 3.000000045e-08], x.Expm1().ToArray<double>(), 1e-15, 0);
    }

    [Fact]
    public void Tanh_is_relatively_accurate_for_tiny_inputs_on_both_paths()
    {
        // torch.tanh(torch.tensor([1e-6, -3e-5, 0.3, 5.0]))
        double[] expected = [9.999999974752427e-07, -2.9999999242136255e-05, 0.29131263494491577, 0.9999092221260071];
        AssertClose(expected, Floats(Tensor.FromArray([1e-6f, -3e-5f, 0.3f, 5f]).Tanh()), 2.5e-7, 0);
        var strided = Tensor.FromArray([1e-6f, 0f, -3e-5f, 0f, 0.3f, 0f, 5f, 0f]).Slice(0, step: 2);
        AssertClose(expected, Floats(strided.Tanh()), 2.5e-7, 0);
    }

    [Fact]
    public void Vectorised_float32_kernels_match_double_precision_references()
    {
        var values = Enumerable.Range(0, 20_001).Select(i => (float)((i - 10_000) / 1_000.0)).ToArray();
        var x = Tensor.FromArray(values);
        void Check(Tensor result, Func<double, double> reference, double rtol)
        {
            var r = result.ToArray<float>();
            for (int i = 0; i < values.Length; i++)
            {
                double e = reference(values[i]);
                Assert.True(Math.Abs(r[i] - e) <= 1e-6 + rtol * Math.Abs(e), $"x = {values[i]}: expected {e:R}, got {r[i]:R}");
            }
        }
        Check(x.Tanh(), Math.Tanh, 3e-7);
        Check(x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)), 1e-6);
        Check(Functional.Silu(x), v => v / (1 + Math.Exp(-v)), 1e-6);
        Check(Functional.Gelu(x, "tanh"), v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), 1e-6);
        Check(Functional.Gelu(x), v => 0.5 * v * (1 + Tensor.FromArray([v / Math.Sqrt(2)]).Erf().Item<double>()), 1e-6);
        Check(Functional.LeakyRelu(x, 0.2), v => v > 0 ? v : 0.2 * v, 1e-7);
    }

    [Fact]
    public void Activations_match_torch()
    {
        var x = Tensor.FromArray([-3f, -1f, 0.5f, 2f]);
        // F.gelu(x) and F.gelu(x, approximate='tanh')
        AssertClose([-0.004049867391586304, -0.1586552858352661, 0.3457311987876892, 1.9544999599456787], Floats(Functional.Gelu(x)));
        AssertClose([-0.0036374330520629883, -0.15880799293518066, 0.3457140028476715, 1.9545977115631104], Floats(Functional.Gelu(x, "tanh")));
        // F.softplus(torch.tensor([1., 20, 21, -30, 10.5]), 2., 20.)
        var s = Functional.Softplus(Tensor.FromArray([1f, 20f, 21f, -30f, 10.5f]), beta: 2, threshold: 20);
        AssertClose([1.0634640455245972, 20.0, 21.0, 4.37825544636038e-27, 10.5], Floats(s));
        // F.silu(torch.tensor([-2., .5, 3.]))
        AssertClose([-0.23840583860874176, 0.3112296760082245, 2.857722520828247], Floats(Functional.Silu(Tensor.FromArray([-2f, 0.5f, 3f]))));
    }

    [Fact]
    public void Activations_reject_integers_and_bad_arguments()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.Gelu(Tensor.FromArray([1f]), "fast"));
        Assert.Contains("gelu", e.Message);
        Assert.Contains("fast", e.Message);
        e = Assert.Throws<ArgumentException>(() => Functional.Softplus(Tensor.FromArray([1, 2])));
        Assert.Contains("softplus", e.Message);
        Assert.Contains("int32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([true]).Relu());
        Assert.Contains("relu", e.Message);
    }

    [Fact]
    public void In_place_functional_activations_overwrite_the_input()
    {
        var x = Tensor.FromArray([-2.0, 3.0]);
        Assert.Same(x, Functional.LeakyRelu(x, 0.5, inplace: true));
        Assert.Equal([-1.0, 3.0], x.ToArray<double>());
        Assert.Same(x, Functional.Relu(x, inplace: true));
        Assert.Equal([0.0, 3.0], x.ToArray<double>());
    }

    [Fact]
    public void Clamp_follows_torch_for_reversed_bounds_nan_and_dtypes()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, float.NaN]);
        Assert.Equal([1.5f, 1.5f, 1.5f, float.NaN], x.Clamp(2.5, 1.5).ToArray<float>());
        Assert.Equal([1.5f, 2f, 2.5f, float.NaN], x.Clamp(1.5, 2.5).ToArray<float>());
        Assert.All(x.Clamp(double.NaN, 2.0).ToArray<float>(), v => Assert.True(float.IsNaN(v)));

        var ints = Tensor.FromArray([1L, 2L, 3L]);
        Assert.Equal([1L, 2L, 2L], ints.Clamp(1, 2).ToArray<long>());
        Assert.Equal([1L, 2L, 2L], ints.Clamp(max: 2L).ToArray<long>());
        var f = ints.Clamp(min: 1.5);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([1.5f, 2f, 3f], f.ToArray<float>());
        Assert.Equal(DType.Int64, Tensor.FromArray([true, false]).Clamp(0, 1).DType);
    }

    [Fact]
    public void Clamp_errors_name_the_problem()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f]).Clamp((double?)null, null));
        Assert.Contains("clamp", e.Message);
        Assert.Contains("min", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([(byte)1]).Clamp(-1, 300));
        Assert.Contains("clamp", e.Message);
        Assert.Contains("uint8", e.Message);
        var i = Assert.Throws<InvalidOperationException>(() => Tensor.FromArray([1L, 2L]).Clamp_(0.5, 1.5));
        Assert.Contains("clamp", i.Message);
    }

    [Fact]
    public void Clamp_with_tensor_bounds_broadcasts()
    {
        var x = Tensor.FromArray([1f, 5f, 9f, -2f, 4f, 12f], 2, 3);
        var low = Tensor.FromArray([0f, 4f, 8f]);
        var high = Tensor.FromArray([3f], 1, 1);
        Assert.Equal([1f, 3f, 3f, 0f, 3f, 3f], x.Clamp(low, high).ToArray<float>());
        Assert.Equal([1f, 5f, 9f, 0f, 4f, 12f], x.Clamp(low, null).ToArray<float>());
        x.Clamp_(null, high);
        Assert.Equal([1f, 3f, 3f, -2f, 3f, 3f], x.ToArray<float>());
    }

    [Fact]
    public void Predicates_give_bool_on_every_dtype()
    {
        var x = Tensor.FromArray([1f, float.NaN, float.PositiveInfinity, -0f]);
        Assert.Equal([false, true, false, false], x.IsNan().ToArray<bool>());
        Assert.Equal([false, false, true, false], x.IsInf().ToArray<bool>());
        Assert.Equal([true, false, false, true], x.IsFinite().ToArray<bool>());
        Assert.Equal([false, false, false, true], x.LogicalNot().ToArray<bool>());
        Assert.Equal([true, true], Tensor.FromArray([1, 2]).IsFinite().ToArray<bool>());
        var flags = Tensor.FromArray([0.0, 2.0]);
        flags.LogicalNot_();
        Assert.Equal([1.0, 0.0], flags.ToArray<double>());
    }
}
