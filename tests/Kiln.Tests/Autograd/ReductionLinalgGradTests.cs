using static Kiln.Tests.Gradients.GradAssert;
using Kiln.NN;

namespace Kiln.Tests.Gradients;

/// <summary>
/// The public reduction, softmax and matrix-product methods record their registry op, and backward through
/// them gives PyTorch's gradients (expected values from torch 1.13 or worked out by hand).
/// </summary>
public sealed class ReductionLinalgGradTests
{


    [Fact]
    public void Sum_over_a_dim_broadcasts_the_given_gradient_back()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        var y = x.Sum(1);
        Assert.NotNull(y.GradFn);
        y.Backward(Tensor.FromArray(new double[] { 10, 20 }, [2]));
        AssertClose([10, 10, 10, 20, 20, 20], x.Grad);
    }

    [Fact]
    public void Sum_with_keepdim_and_of_everything_accumulate_into_grad()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        x.Sum([0], keepdim: true).Backward(Tensor.FromArray(new double[] { 1, 2, 3 }, [1, 3]));
        x.Sum().Backward();
        AssertClose([2, 3, 4, 2, 3, 4], x.Grad);
    }

    [Fact]
    public void Mean_divides_the_gradient_by_the_count()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2);
        x.Mean([0, 2], keepdim: true).Backward(Tensor.FromArray(new double[] { 4, 8 }, [1, 2, 1]));
        AssertClose([1, 1, 2, 2, 1, 1, 2, 2], x.Grad);
        var z = Leaf([1, 2, 3, 4], 4);
        z.Mean().Backward();
        AssertClose([0.25, 0.25, 0.25, 0.25], z.Grad);
    }

    [Fact]
    public void Log_softmax_with_a_one_hot_nll_gives_softmax_minus_target_over_the_batch()
    {
        var logits = Leaf([1, 2, 3, -1, 0, 4], 2, 3);
        var oneHot = Tensor.FromArray(new double[] { 0, 0, 1, 1, 0, 0 }, [2, 3]);
        var loss = -(Functional.LogSoftmax(logits, 1) * oneHot).Sum() / 2.0;
        loss.Backward();
        var softmax = logits.Detach().Softmax(1).ToArray<double>();
        var target = oneHot.ToArray<double>();
        AssertClose([.. softmax.Select((s, i) => (s - target[i]) / 2)], logits.Grad);
    }

    [Fact]
    public void Softmax_gradient_is_y_times_g_minus_its_weighted_sum()
    {
        var x = Leaf([0.5, -1, 2], 3);
        var y = Functional.Softmax(x, 0);
        y.Backward(Tensor.FromArray(new double[] { 1, 0, 0 }, [3]));
        var s = y.Detach().ToArray<double>();
        AssertClose([s[0] * (1 - s[0]), -s[1] * s[0], -s[2] * s[0]], x.Grad);
    }

    [Fact]
    public void Linear_gradients_match_the_hand_computed_values()
    {
        var x = Leaf([1, 2, 3, 4], 2, 2);
        var w = Leaf([1, 0, 0, 1, 1, 1], 3, 2);
        var b = Leaf([0.5, -1, 2], 3);
        var y = Functional.Linear(x, w, b);
        AssertClose([1.5, 1, 5, 3.5, 3, 9], y.Detach());
        // dx = G·W, dW = Gᵀ·x, db = column sums of G.
        y.Backward(Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
        AssertClose([4, 5, 10, 11], x.Grad);
        AssertClose([13, 18, 17, 24, 21, 30], w.Grad);
        AssertClose([5, 7, 9], b.Grad);
    }

    [Fact]
    public void Linear_without_bias_and_with_a_batched_input()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2);
        var w = Leaf([1, -1], 1, 2);
        Functional.Linear(x, w).Sum().Backward();
        AssertClose([1, -1, 1, -1, 1, -1, 1, -1], x.Grad);
        AssertClose([16, 20], w.Grad);
    }

    [Fact]
    public void Matmul_of_two_vectors_and_of_a_vector_with_a_matrix()
    {
        var a = Leaf([1, 2, 3], 3);
        var b = Leaf([4, 5, 6], 3);
        a.Matmul(b).Backward(Tensor.Full([], 2.0, DType.Float64));
        AssertClose([8, 10, 12], a.Grad);
        AssertClose([2, 4, 6], b.Grad);

        var v = Leaf([1, 2], 2);
        var m = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        v.Matmul(m).Backward(Tensor.FromArray(new double[] { 1, 0, -1 }, [3]));
        AssertClose([-2, -2], v.Grad);           // m·g
        AssertClose([1, 0, -1, 2, 0, -2], m.Grad); // v ⊗ g
    }

    [Fact]
    public void Matmul_of_a_matrix_with_a_vector()
    {
        var m = Leaf([1, 2, 3, 4, 5, 6], 3, 2);
        var v = Leaf([1, -1], 2);
        m.Matmul(v).Backward(Tensor.FromArray(new double[] { 1, 2, 3 }, [3]));
        AssertClose([1, -1, 2, -2, 3, -3], m.Grad);
        AssertClose([22, 28], v.Grad);
    }

    [Fact]
    public void Batched_matmul_with_broadcast_batch_dims_sums_the_gradient_over_them()
    {
        var aValues = Enumerable.Range(0, 2 * 3 * 4).Select(i => (double)(i % 7) - 3).ToArray();
        var bValues = Enumerable.Range(0, 5 * 4 * 2).Select(i => (double)(i % 5) - 2).ToArray();
        var a = Leaf(aValues, 2, 1, 3, 4);
        var b = Leaf(bValues, 5, 4, 2);
        var g = Tensor.FromArray(Enumerable.Range(0, 2 * 5 * 3 * 2).Select(i => (double)(i % 3) - 1).ToArray(), [2, 5, 3, 2]);
        a.Matmul(b).Backward(g);
        using (global::Kiln.Autograd.NoGrad())
        {
            var ad = a.Detach();
            var bd = b.Detach();
            AssertClose(g.Matmul(bd.MT).Sum([1], keepdim: true).ToArray<double>(), a.Grad);
            AssertClose(ad.MT.Matmul(g).Sum([0]).ToArray<double>(), b.Grad);
        }
    }

    [Fact]
    public void Batched_matmul_against_a_matrix_folds_the_batch_into_rows()
    {
        var a = Leaf([.. Enumerable.Range(0, 12).Select(i => (double)i)], 2, 3, 2);
        var w = Leaf([1, 2, 3, 4], 2, 2);
        a.Matmul(w).Sum().Backward();
        // Each column of w gets the sum of a's matching column over batch and rows.
        AssertClose([30, 30, 36, 36], w.Grad);
        AssertClose([3, 7, 3, 7, 3, 7, 3, 7, 3, 7, 3, 7], a.Grad);
    }

    [Fact]
    public void Bmm_outer_and_dot_gradients()
    {
        var a = Leaf([1, 2, 3, 4], 1, 2, 2);
        var b = Leaf([1, 0, 0, 2], 1, 2, 2);
        a.Bmm(b).Sum().Backward();
        AssertClose([1, 2, 1, 2], a.Grad);
        AssertClose([4, 4, 6, 6], b.Grad);

        var u = Leaf([1, 2], 2);
        var v = Leaf([3, 4, 5], 3);
        u.Outer(v).Backward(Tensor.FromArray(new double[] { 1, 0, 0, 0, 1, 1 }, [2, 3]));
        AssertClose([3, 9], u.Grad);
        AssertClose([1, 2, 2], v.Grad);

        var p = Leaf([1, 2], 2);
        var q = Leaf([3, 4], 2);
        p.Dot(q).Backward();
        AssertClose([3, 4], p.Grad);
        AssertClose([1, 2], q.Grad);
    }

    [Fact]
    public void Max_along_a_dim_sends_the_gradient_to_the_indices_and_amax_shares_ties()
    {
        var x = Leaf([1, 5, 2, 7, 3, 3], 2, 3);
        var (values, indices) = x.Max(1);
        Assert.Equal(new long[] { 1, 0 }, indices.ToArray<long>());
        values.Backward(Tensor.FromArray(new double[] { 10, 20 }, [2]));
        AssertClose([0, 10, 0, 20, 0, 0], x.Grad);

        var t = Leaf([1, 3, 3, 2], 4);
        t.Amax().Backward();
        AssertClose([0, 0.5, 0.5, 0], t.Grad);
        var m = Leaf([1, 3, 3, 2], 4);
        m.Min().Backward();
        AssertClose([1, 0, 0, 0], m.Grad);
    }

    [Fact]
    public void Prod_and_cumprod_are_exact_at_zeros_as_torch()
    {
        var x = Leaf([2, 0, 3, 1, 2, 4, 0, 5, 0], 3, 3);
        x.Prod(1).Backward(Tensor.FromArray(new double[] { 1, 2, 3 }, [3]));
        AssertClose([0, 6, 0, 16, 8, 4, 0, 0, 0], x.Grad);

        var c = Leaf([2, 0, 3, 0, 5], 5);
        c.Cumprod(0).Backward(Tensor.FromArray(new double[] { 1, 2, 3, 4, 5 }, [5]));
        AssertClose([1, 22, 0, 0, 0], c.Grad);
        var d = Leaf([2, 0, 3, 4], 4);
        d.Cumprod(0).Backward(Tensor.FromArray(new double[] { 1, 2, 3, 4 }, [4]));
        AssertClose([1, 118, 0, 0], d.Grad);
    }

    [Fact]
    public void Cumsum_gradient_is_the_reversed_running_sum()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        x.Cumsum(1).Backward(Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
        AssertClose([6, 5, 3, 15, 11, 6], x.Grad);
    }

    [Theory]
    [InlineData(2.0, new[] { 0.4472135954999579, -0.8944271909999159, 0, 0 })]
    [InlineData(1.0, new[] { 1.0, -1, 0, 0 })]
    [InlineData(3.0, new[] { 0.2311204247835449, -0.9244816991341795, 0, 0 })]
    [InlineData(0.5, new[] { 2.414213562373095, -1.7071067811865472, 0, 0 })]
    [InlineData(double.PositiveInfinity, new[] { 0.0, -1, 0, 0 })]
    [InlineData(-1.0, new[] { 0.4444444444444444, -0.1111111111111111, 0, 0 })]
    [InlineData(0.0, new[] { 0.0, 0, 0, 0 })]
    public void Norm_gradients_match_torch_including_its_subgradient_at_zero(double p, double[] expected)
    {
        var x = Leaf([1, -2, 0, 0], 2, 2);
        x.Norm(p, 1).Sum().Backward();
        AssertClose(expected, x.Grad, 1e-12);
    }

    [Fact]
    public void Var_std_and_logsumexp_record_their_ops()
    {
        var x = Leaf([1, 2, 4, 7], 4);
        x.Var(0).Backward();
        // 2 (x - mean) / (N - 1), mean 3.5.
        AssertClose([-5.0 / 3, -1, 1.0 / 3, 7.0 / 3], x.Grad);
        var s = Leaf([1, 2, 4, 7], 4);
        var std = s.Std([0], correction: 0);
        std.Backward();
        double sd = std.Detach().Item<double>();
        AssertClose([.. new[] { -2.5, -1.5, 0.5, 3.5 }.Select(d => d / (4 * sd))], s.Grad);
        var l = Leaf([0, Math.Log(3)], 2);
        l.Logsumexp(0).Backward();
        AssertClose([0.25, 0.75], l.Grad);
    }

    [Fact]
    public void Without_requires_grad_nothing_is_recorded()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Null(x.Sum(0).GradFn);
        Assert.Null(x.Matmul(x).GradFn);
        Assert.Null(Functional.Linear(x, x).GradFn);
        var r = x.Clone().RequiresGrad_();
        using (global::Kiln.Autograd.NoGrad())
            Assert.Null(r.Softmax(1).GradFn);
        Assert.NotNull(r.Softmax(1).GradFn);
    }
}
