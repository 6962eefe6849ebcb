namespace Kiln.Tests.Gradients;

/// <summary>The eager autograd engine: accumulation, graph retention, grad modes, Autograd.Grad, version checks.</summary>
public sealed class AutogradCoreTests
{
    private static Tensor Leaf(params double[] values) => Tensor.FromArray(values).RequiresGrad_();

    private static double[] Values(Tensor? t) => t!.Contiguous().ToArray<double>();

    [Fact]
    public void Backward_accumulates_into_leaves_through_shared_subexpressions()
    {
        var x = Leaf(1, 2, 3);
        var y = x * x;
        var z = (y + y * x).Sum();
        z.Backward();
        Assert.Equal([2 * 1 + 3 * 1, 2 * 2 + 3 * 4, 2 * 3 + 3 * 9], Values(x.Grad));
        Assert.True(x.IsLeaf);
        Assert.False(y.IsLeaf);
        Assert.Equal("SumBackward", z.GradFn!.Name);
    }

    [Fact]
    public void A_second_backward_adds_to_the_gradient_and_needs_retain_graph()
    {
        var x = Leaf(1, 2);
        var loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal([4.0, 8.0], Values(x.Grad));
        var error = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("retainGraph", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_scalar_backward_needs_a_gradient()
    {
        var x = Leaf(1, 2);
        var y = x * x;
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        y.Backward(Tensor.FromArray([1.0, 0.5]));
        Assert.Equal([2.0, 2.0], Values(x.Grad));
    }

    [Fact]
    public void NoGrad_stops_recording_and_restores_the_previous_mode()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (Autograd.NoGrad())
        {
            y = x * 2.0;
            Assert.False(Autograd.IsGradEnabled);
            using (Autograd.EnableGrad()) Assert.True((x * 2.0).RequiresGrad);
            Assert.False(Autograd.IsGradEnabled);
        }
        Assert.True(Autograd.IsGradEnabled);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
    }

    [Fact]
    public void Detach_cuts_the_graph_but_shares_storage()
    {
        var x = Leaf(1, 2);
        var d = (x * 3.0).Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        var y = (x * d).Sum();
        y.Backward();
        Assert.Equal([3.0, 6.0], Values(x.Grad));
    }

    [Fact]
    public void RetainGrad_keeps_a_non_leaf_gradient()
    {
        var x = Leaf(1, 2);
        var y = x * 3.0;
        y.RetainGrad();
        var z = (y * y).Sum();
        z.Backward();
        Assert.Equal([6.0, 12.0], Values(y.Grad));
        Assert.Null((x * 1.0).Grad);
    }

    [Fact]
    public void Autograd_Grad_returns_gradients_without_touching_Grad()
    {
        var x = Leaf(1, 2);
        var w = Leaf(3, 4);
        var y = (x * w).Sum();
        var grads = Kiln.Autograd.Grad([y], [x, w]);
        Assert.Equal([3.0, 4.0], Values(grads[0]));
        Assert.Equal([1.0, 2.0], Values(grads[1]));
        Assert.Null(x.Grad);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Autograd_Grad_with_respect_to_an_intermediate_result()
    {
        var x = Leaf(1, 2);
        var h = x * 2.0;
        var y = (h * h).Sum();
        var g = Kiln.Autograd.Grad(y, h);
        Assert.Equal([4.0, 8.0], Values(g));
    }

    [Fact]
    public void Unused_inputs_are_an_error_unless_allowed()
    {
        var x = Leaf(1);
        var unused = Leaf(2);
        var y = (x * x).Sum();
        Assert.Throws<InvalidOperationException>(() => Kiln.Autograd.Grad([y], [x, unused], retainGraph: true));
        var grads = Kiln.Autograd.Grad([y], [x, unused], allowUnused: true);
        Assert.Null(grads[1]);
    }

    [Fact]
    public void Create_graph_gives_second_derivatives()
    {
        var x = Leaf(1, 2, 3);
        var y = (x * x * x).Sum();
        var dy = Kiln.Autograd.Grad(y, x, createGraph: true)!;
        Assert.Equal([3.0, 12.0, 27.0], Values(dy));
        Assert.True(dy.RequiresGrad);
        var d2 = Kiln.Autograd.Grad(dy.Sum(), x)!;
        Assert.Equal([6.0, 12.0, 18.0], Values(d2));
    }

    [Fact]
    public void Modifying_a_saved_tensor_in_place_makes_backward_fail()
    {
        var x = Leaf(1, 2);
        var y = x * 2.0;
        var z = y * y;
        y.Add_(1.0);
        var error = Assert.Throws<InvalidOperationException>(() => z.Sum().Backward());
        Assert.Contains("in-place", error.Message, StringComparison.Ordinal);
        Assert.Contains("mul", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_place_ops_on_leaves_that_require_grad_are_refused_outside_NoGrad()
    {
        var x = Leaf(1, 2);
        Assert.Throws<InvalidOperationException>(() => x.Add_(1.0));
        using (Autograd.NoGrad()) x.Add_(1.0);
        Assert.Equal([2.0, 3.0], Values(x.Detach()));
        Assert.Equal(1, x.Version);
    }

    [Fact]
    public void In_place_ops_on_non_leaves_are_differentiated()
    {
        var x = Leaf(1, 2);
        var y = x * 2.0;
        y.Mul_(x);
        y.Sum().Backward();
        Assert.Equal([4.0, 8.0], Values(x.Grad));
    }

    [Fact]
    public void Integer_results_do_not_require_grad()
    {
        var x = Leaf(1, 2, 3);
        Assert.False(x.Argmax().RequiresGrad);
        Assert.False((x > 1.5).RequiresGrad);
    }

    [Fact]
    public void RequiresGrad_is_only_for_floating_leaves()
    {
        Assert.Throws<InvalidOperationException>(() => Tensor.FromArray([1L, 2L]).RequiresGrad_());
        var y = Leaf(1) * 2.0;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
    }

    [Fact]
    public void Backward_of_a_tensor_without_history_is_an_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Tensor.FromArray([1.0]).Backward());
        Assert.Contains("does not require grad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gradients_flow_into_float32_leaves_in_float32()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        (x * x).Sum().Backward();
        Assert.Equal(DType.Float32, x.Grad!.DType);
        Assert.Equal([2f, 4f], x.Grad.ToArray<float>());
    }
}
