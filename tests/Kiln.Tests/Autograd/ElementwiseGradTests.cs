using Kiln.NN;

namespace Kiln.Tests.Gradients;

/// <summary>
/// The public elementwise, activation, comparison and conversion methods record their registry ops: backward
/// through them gives PyTorch's gradients (expected values from torch 1.13 or worked out by hand), in-place
/// variants follow PyTorch's rules, and integer or bool results never require grad.
/// </summary>
public sealed class ElementwiseGradTests
{
    private static Tensor Leaf(double[] values, params long[] shape) => Tensor.FromArray(values, shape).RequiresGrad_();

    private static Tensor Values(params double[] values) => Tensor.FromArray(values, [values.Length]);

    private static void AssertClose(double[] expected, Tensor? actual, double tol = 1e-9)
    {
        Assert.NotNull(actual);
        var got = actual.Contiguous().To(DType.Float64).ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool ok = double.IsInfinity(expected[i])
                ? expected[i] == got[i]
                : Math.Abs(expected[i] - got[i]) <= tol * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(ok, $"element {i}: expected {expected[i]}, got {got[i]}");
        }
    }

    [Fact]
    public void Operators_and_exp_give_the_chain_rule_for_both_operands()
    {
        var x = Leaf([0.1, -0.5, 1.2], 3);
        var y = Leaf([0.3, 0.2, -0.7], 3);
        (x * 2.0 + y).Exp().Sum().Backward();
        var e = new[] { Math.Exp(0.5), Math.Exp(-0.8), Math.Exp(1.7) };
        AssertClose([2 * e[0], 2 * e[1], 2 * e[2]], x.Grad);
        AssertClose(e, y.Grad);
    }

    [Fact]
    public void Broadcast_operands_get_gradients_summed_back_to_their_shape()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Leaf([10, 20, 30], 3);
        var s = Leaf([2], []);
        (x * b + b - s).Sum().Backward();
        AssertClose([10, 20, 30, 10, 20, 30], x.Grad);
        AssertClose([1 + 4 + 2, 2 + 5 + 2, 3 + 6 + 2], b.Grad);
        AssertClose([-6], s.Grad);
    }

    [Fact]
    public void Unary_math_methods_match_torch()
    {
        var x = Leaf([0.2, 0.45, 0.7], 3);
        var w = Values(1, -2, 0.5);
        Func<Tensor, Tensor>[] ops =
        [
            t => t.Sin(), t => t.Cos(), t => t.Tan(), t => t.Asin(), t => t.Acos(), t => t.Atan(), t => t.Sinh(), t => t.Cosh(),
            t => t.Tanh(), t => t.Sigmoid(), t => t.Erf(), t => t.Erfc(), t => t.Log(), t => t.Log2(), t => t.Log10(), t => t.Log1p(),
            t => t.Sqrt(), t => t.Rsqrt(), t => t.Reciprocal(), t => t.Square(), t => t.Exp2(), t => t.Expm1(), t => t.Abs(), t => -t, t => t.Exp(),
        ];
        var total = ops.Select((f, i) => (f(x) * (double)(i + 1) * w).Sum()).Aggregate((a, b) => a + b);
        total.Backward();
        AssertClose([-236.34973652804769, -253.61237810050673, 98.38880663781258], x.Grad, 1e-12);
    }

    [Fact]
    public void Activations_match_torch()
    {
        (Func<Tensor, Tensor> F, double[] Expected)[] cases =
        [
            (t => Functional.Relu(t), [0, 0, 1, 1]),
            (t => Functional.LeakyRelu(t, 0.2), [0.2, 0.2, 1, 1]),
            (t => Functional.Gelu(t), [-0.1274691922299796, 0.26767223317289013, 0.8027297977316535, 1.085231801078197]),
            (t => Functional.Gelu(t, "tanh"), [-0.12771079315143308, 0.26770454836119817, 0.8026588344205614, 1.0860992566236183]),
            (t => Functional.Silu(t), [-0.041294154299142946, 0.3522199896811173, 0.6947919584090636, 1.0907842487848955]),
            (t => Functional.Softplus(t, beta: 2, threshold: 3), [0.04742587317756679, 0.3543436937742045, 0.6899744811276125, 1.0]),
        ];
        foreach (var (f, expected) in cases)
        {
            var x = Leaf([-1.5, -0.3, 0.4, 2.0], 4);
            f(x).Sum().Backward();
            AssertClose(expected, x.Grad, 1e-12);
        }
    }

    [Fact]
    public void Scalar_overloads_send_the_gradient_to_the_tensor_operand()
    {
        var x = Leaf([0.5, -1.0, 2.0, 1.5, 0.25, -3.0], 2, 3);
        var y = (x.Add(1.5).Mul(3.0).Sub(2L).Div(4.0).Pow(2.0) + 2.0 / x + (1.0 - x) + Tensor.Pow(2.0, x) * 0.5).Sum();
        y.Backward();
        AssertClose([-7.009870928265727, -3.0142132048600137, 3.073794361119891, 1.7163692545796585, -31.369102220567015, -3.6164005234372256], x.Grad, 1e-12);
    }

    [Fact]
    public void Binary_methods_with_alpha_match_torch()
    {
        var a = Leaf([0.5, -1.0, 2.0, 1.5, 0.25, -3.0], 2, 3);
        var b = Leaf([0.7, -0.4, 1.3], 3);
        (a.Atan2(b) * 2.0 + a.Remainder(b) + a.Fmod(b) * 3.0 + a.Sub(b, alpha: 2.5) + a.Add(b, alpha: -1.5) * a + a / b).Sum().Backward();
        AssertClose([8.27046332046332, 0.41034482758620694, 8.276172772745708, 8.889520333680917, 0.004494382022472099, -1.9375512700582862], a.Grad, 1e-12);
        AssertClose([-22.527874515361482, -6.710553080201472, 1.9500004956413282], b.Grad, 1e-12);
    }

    [Fact]
    public void Rounding_division_and_piecewise_constant_ops_give_zero_gradients()
    {
        var a = Leaf([2.5, -1.5], 2);
        var b = Leaf([2, 4], 2);
        (a.Div(b, "floor") + a.Div(b, "trunc") + a.Floor() + a.Ceil() + a.Round() + a.Trunc() + a.Sign()).Sum().Backward();
        AssertClose([0, 0], a.Grad);
        AssertClose([0, 0], b.Grad);
    }

    [Fact]
    public void Maximum_and_minimum_split_ties_evenly()
    {
        var a = Leaf([1, 2, 2], 3);
        var b = Leaf([0, 2, 3], 3);
        a.Maximum(b).Sum().Backward();
        AssertClose([1, 0.5, 0], a.Grad);
        AssertClose([0, 0.5, 1], b.Grad);
        a.Grad = null;
        b.Grad = null;
        a.Minimum(b).Sum().Backward();
        AssertClose([0, 0.5, 1], a.Grad);
        AssertClose([1, 0.5, 0], b.Grad);
    }

    [Fact]
    public void Pow_at_a_zero_base_follows_torch()
    {
        var a = Leaf([0, 0, 2, 0], 4);
        var b = Leaf([0, 2, 0, -1], 4);
        a.Pow(b).Sum().Backward();
        AssertClose([0, 0, 0, double.NegativeInfinity], a.Grad);
        AssertClose([0, 0, Math.Log(2), double.NegativeInfinity], b.Grad);
    }

    [Fact]
    public void Clamp_passes_the_gradient_inside_the_bounds_and_to_tensor_bounds_outside()
    {
        var x = Leaf([-1, 1, 0.5, 2, -3], 5);
        x.Clamp(-1.0, 1.0).Sum().Backward();
        AssertClose([1, 1, 1, 0, 0], x.Grad);

        var a = Leaf([-1, 1, 0.5, 2], 4);
        var min = Leaf([-1, 1.5, 0, 2], 4);
        var max = Leaf([1], []);
        var clamped = a.Clamp(min, max);
        AssertClose([-1, 1, 0.5, 1], clamped);
        clamped.Sum().Backward();
        AssertClose([1, 0, 1, 0], a.Grad);
        AssertClose([0, 0, 0, 0], min.Grad);
        AssertClose([2], max.Grad);
    }

    [Fact]
    public void Where_routes_the_gradient_by_the_condition_and_lerp_to_all_three_inputs()
    {
        var cond = Tensor.FromArray(new[] { true, false, true }, [3]);
        var x = Leaf([1, 2, 3], 3);
        var y = Leaf([5], []);
        Tensor.Where(cond, x, y).Mul(Values(1, 2, 3)).Sum().Backward();
        AssertClose([1, 0, 3], x.Grad);
        AssertClose([2], y.Grad);

        var s = Leaf([0, 1], 2);
        var e = Leaf([4, 3], 2);
        var w = Leaf([0.25, 0.5], 2);
        s.Lerp(e, w).Sum().Backward();
        AssertClose([0.75, 0.5], s.Grad);
        AssertClose([0.25, 0.5], e.Grad);
        AssertClose([4, 2], w.Grad);

        var s2 = Leaf([0, 1], 2);
        s2.Lerp(e.Detach(), 0.25).Sum().Backward();
        AssertClose([0.75, 0.75], s2.Grad);
    }

    [Fact]
    public void To_casts_the_gradient_back_and_integer_or_bool_results_never_require_grad()
    {
        var x = Tensor.FromArray(new float[] { 1.5f, -2f }, [2]).RequiresGrad_();
        var y = x.To(DType.Float64);
        Assert.Equal("ToBackward", y.GradFn?.Name);
        (y * y).Sum().Backward();
        Assert.Equal(DType.Float32, x.Grad!.DType);
        AssertClose([3, -4], x.Grad);

        Assert.False(x.To(DType.Int64).RequiresGrad);
        Assert.False(x.Gt(0.0).RequiresGrad);
        Assert.False(x.IsNan().RequiresGrad);
        Assert.False(x.LogicalAnd(x).RequiresGrad);
        Assert.True(x.Floor().RequiresGrad);
        using (global::Kiln.Autograd.NoGrad())
            Assert.False(x.Exp().RequiresGrad);
    }

    [Fact]
    public void In_place_ops_on_a_non_leaf_give_the_out_of_place_gradients()
    {
        var x = Leaf([0.3, -0.6, 1.1], 3);
        var y = x * 1.0;
        y.Sin_();
        y.Mul_(2.0);
        y.Add_(x, alpha: 3);
        y.Clamp_(-1.5, 10.0);
        Functional.Relu(y, inplace: true);
        Assert.Equal("ReluBackward", y.GradFn?.Name);
        y.Sum().Backward();
        // y = relu(clamp(2 sin x + 3x, -1.5, 10)): element 1 is 2 sin(-0.6) - 1.8 < -1.5, so it gets no gradient.
        AssertClose([2 * Math.Cos(0.3) + 3, 0, 2 * Math.Cos(1.1) + 3], x.Grad);
    }

    [Fact]
    public void In_place_ops_record_when_only_the_other_operand_requires_grad()
    {
        var x = Leaf([1, 2], 2);
        var acc = Tensor.Zeros([2], DType.Float64);
        acc.Add_(x);
        acc.Mul_(x);
        Assert.True(acc.RequiresGrad);
        acc.Sum().Backward();
        AssertClose([2, 4], x.Grad);
    }

    [Fact]
    public void In_place_ops_on_a_leaf_that_requires_grad_throw()
    {
        var x = Leaf([1, 2], 2);
        var e = Assert.Throws<InvalidOperationException>(() => x.Exp_());
        Assert.Contains("exp_", e.Message);
        Assert.Throws<InvalidOperationException>(() => x.Add_(1.0));
        Assert.Throws<InvalidOperationException>(() => Functional.LeakyRelu(x, inplace: true));
        using (global::Kiln.Autograd.NoGrad())
            x.Add_(1.0);
        AssertClose([2, 3], x);
    }

    [Fact]
    public void Writing_a_saved_tensor_in_place_makes_backward_throw_naming_the_op()
    {
        var x = Leaf([0.5, 1.5], 2);
        var y = x * 2.0;
        var z = y.Sin();
        int before = y.Version;
        y.Add_(1.0);
        Assert.Equal(before + 1, y.Version);
        var e = Assert.Throws<InvalidOperationException>(() => z.Sum().Backward());
        Assert.Contains("sin", e.Message);

        // exp's gradient reads its result, not its input, so writing the input afterwards is harmless (as in PyTorch).
        var y2 = x * 2.0;
        var z2 = y2.Exp();
        y2.Add_(1.0);
        z2.Sum().Backward();
        AssertClose([2 * Math.Exp(1), 2 * Math.Exp(3)], x.Grad);
    }

    [Fact]
    public void In_place_writes_without_autograd_bump_the_version()
    {
        var t = Tensor.FromArray(new[] { 1.0, -2.0 }, [2]);
        int v = t.Version;
        t.Add_(1.0).Abs_().Clamp_(0.0, 1.0).LogicalNot_();
        Assert.Equal(v + 4, t.Version);
        Assert.Null(t.GradFn);
    }

    [Fact]
    public void In_place_ops_keep_their_dtype_checks_under_autograd()
    {
        var x = Leaf([1.5], 1);
        var ints = Tensor.FromArray(new long[] { 1 }, [1]);
        Assert.Throws<InvalidOperationException>(() => ints.Add_(x));
    }
}
