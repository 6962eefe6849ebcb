namespace Kiln.Tests.Gradients;

/// <summary>
/// The public view methods and the indexer record their registry ops: backward through reshape, expand, permute,
/// squeeze, slicing, selecting, diagonals and scatters gives PyTorch's gradients, the indexing setter follows
/// PyTorch's in-place rules, and the no-grad path records nothing.
/// </summary>
public sealed class ViewGradTests
{
    private static Tensor Leaf(double[] values, params long[] shape) => Tensor.FromArray(values, shape).RequiresGrad_();

    /// <summary>A leaf holding 0, 1, 2, ... with <paramref name="shape"/>.</summary>
    private static Tensor Counting(params long[] shape) =>
        Leaf([.. Enumerable.Range(0, (int)Shapes.Numel(shape)).Select(i => (double)i)], shape);

    private static double[] Flat(Tensor? t)
    {
        Assert.NotNull(t);
        return t.Contiguous().To(DType.Float64).ToArray<double>();
    }

    [Fact]
    public void Reshape_view_and_flatten_send_the_gradient_back_in_the_input_shape()
    {
        var x = Counting(2, 3);
        var w = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        (x.Reshape(3, 2) * w).Sum().Backward();
        Assert.Equal([2L, 3], x.Grad!.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], Flat(x.Grad));
        Assert.Equal("ReshapeBackward", x.View(-1).GradFn!.Name);

        var y = Counting(2, 3, 2);
        (y.Flatten(1) * Tensor.FromArray(new double[] { 1, 0, 0, 0, 0, 2 }, 6)).Sum().Backward();
        Assert.Equal([1.0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 2], Flat(y.Grad));
    }

    [Fact]
    public void Reshape_of_a_transposed_tensor_copies_and_still_differentiates()
    {
        var x = Counting(2, 3);
        var r = x.T.Reshape(6);
        Assert.Equal([0.0, 3, 1, 4, 2, 5], Flat(r));
        (r * Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 6)).Sum().Backward();
        Assert.Equal([1.0, 3, 5, 2, 4, 6], Flat(x.Grad));
    }

    [Fact]
    public void Expand_sums_the_gradient_over_the_broadcast_dims()
    {
        var x = Leaf([1, 2, 3], 3, 1);
        x.Expand(2, 3, 4).Sum().Backward();
        Assert.Equal([8.0, 8, 8], Flat(x.Grad));
        var y = Leaf([5], 1);
        (y.ExpandAs(Tensor.Zeros(3)) * Tensor.FromArray(new double[] { 1, 2, 3 }, 3)).Sum().Backward();
        Assert.Equal([6.0], Flat(y.Grad));
    }

    [Fact]
    public void Permute_transpose_and_mT_send_the_gradient_through_the_inverse_order()
    {
        var x = Counting(2, 3, 4);
        var w = Counting(4, 2, 3).Detach();
        (x.Permute(2, 0, 1) * w).Sum().Backward();
        Assert.Equal(Flat(w.Permute(1, 2, 0)), Flat(x.Grad));

        var m = Counting(2, 3);
        var v = Counting(3, 2).Detach();
        (m.T * v).Sum().Backward();
        (m.MT * v).Sum().Backward();
        (m.Transpose(-1, 0) * v).Sum().Backward();
        Assert.Equal(Flat(v.T * 3.0), Flat(m.Grad));
    }

    [Fact]
    public void Squeeze_and_unsqueeze_reshape_the_gradient_back()
    {
        var x = Counting(1, 3, 1);
        var s = x.Squeeze();
        Assert.Equal([3L], s.Shape);
        (s * Tensor.FromArray(new double[] { 1, 2, 3 }, 3)).Sum().Backward();
        Assert.Equal([1L, 3, 1], x.Grad!.Shape);
        Assert.Equal([1.0, 2, 3], Flat(x.Grad));

        var y = Counting(3);
        (y.Unsqueeze(0).Unsqueeze(-1).Squeeze(0) * 2.0).Sum().Backward();
        Assert.Equal([2.0, 2, 2], Flat(y.Grad));
    }

    [Fact]
    public void Indexing_getter_records_its_slices_and_selects()
    {
        var x = Counting(4, 3);
        var part = x[1..3, 0];
        Assert.Equal("SelectBackward", part.GradFn!.Name);
        (part * Tensor.FromArray(new double[] { 2, 5 }, 2)).Sum().Backward();
        Assert.Equal([0.0, 0, 0, 2, 0, 0, 5, 0, 0, 0, 0, 0], Flat(x.Grad));

        var y = Counting(2, 3);
        y[TensorIndex.Ellipsis, TensorIndex.Slice(null, null, 2), TensorIndex.NewAxis].Sum().Backward();
        Assert.Equal([1.0, 0, 1, 1, 0, 1], Flat(y.Grad));
    }

    [Fact]
    public void Slice_narrow_select_and_diagonal_scatter_the_gradient_into_zeros()
    {
        var x = Counting(3, 4);
        x.Slice(1, 1, null, 2).Sum().Backward();
        Assert.Equal([0.0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], Flat(x.Grad));
        x.Grad = null;
        x.Narrow(0, -1, 1).Sum().Backward();
        Assert.Equal([0.0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1], Flat(x.Grad));
        x.Grad = null;
        (x.Select(1, -1) * 3.0).Sum().Backward();
        Assert.Equal([0.0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3], Flat(x.Grad));
        x.Grad = null;
        x.Diagonal(1).Sum().Backward();
        Assert.Equal([0.0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], Flat(x.Grad));
    }

    [Fact]
    public void Clone_and_contiguous_pass_the_gradient_through()
    {
        var x = Counting(2, 3);
        var c = x.T.Contiguous();
        Assert.True(c.IsContiguous);
        Assert.Equal("CloneBackward", c.GradFn!.Name);
        (c * 2.0).Sum().Backward();
        x.Clone().Sum().Backward();
        Assert.Equal([3.0, 3, 3, 3, 3, 3], Flat(x.Grad));
    }

    [Fact]
    public void Scatters_split_the_gradient_between_self_and_src()
    {
        var self = Counting(3, 4);
        var src = Leaf([10, 20, 30], 3);
        var w = Counting(3, 4).Detach();
        (self.SelectScatter(src, 1, 2) * w).Sum().Backward();
        Assert.Equal([0.0, 1, 0, 3, 4, 5, 0, 7, 8, 9, 0, 11], Flat(self.Grad));
        Assert.Equal([2.0, 6, 10], Flat(src.Grad));

        var rows = Leaf([1, 1, 1, 1], 1, 4);
        (self.SliceScatter(rows, 0, 1, 2) * w).Sum().Backward();
        Assert.Equal([4.0, 5, 6, 7], Flat(rows.Grad));
        var d = Leaf([1, 1, 1], 3);
        (self.DiagonalScatter(d) * w).Sum().Backward();
        Assert.Equal([0.0, 5, 10], Flat(d.Grad));
    }

    [Fact]
    public void Indexing_setter_on_a_leaf_that_requires_grad_is_refused_under_grad_mode()
    {
        var x = Counting(2, 3);
        var e = Assert.Throws<InvalidOperationException>(() => x[0] = Tensor.Scalar(1.0));
        Assert.Contains("leaf", e.Message, StringComparison.Ordinal);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], Flat(x.Detach()));
        int version = x.Version;
        using (global::Kiln.Autograd.NoGrad())
            x[0, 1..] = Tensor.Scalar(7.0);
        Assert.Equal([0.0, 7, 7, 3, 4, 5], Flat(x.Detach()));
        Assert.True(x.Version > version);
    }

    [Fact]
    public void Indexing_setter_on_a_non_leaf_records_the_write_for_both_operands()
    {
        var x = Counting(2, 3);
        var v = Leaf([5], 1);
        var y = x * 1.0;
        int version = y.Version;
        y[1, 1..] = v;
        Assert.True(y.Version > version);
        Assert.Equal([0.0, 1, 2, 3, 5, 5], Flat(y.Detach()));
        (y * Counting(2, 3).Detach()).Sum().Backward();
        Assert.Equal([0.0, 1, 2, 3, 0, 0], Flat(x.Grad));
        Assert.Equal([4.0 + 5], Flat(v.Grad));
    }

    [Fact]
    public void Setter_writes_without_grad_bump_the_version_of_every_view()
    {
        var t = Tensor.Zeros(3, 4);
        var view = t[1];
        int version = t.Version;
        t[.., 0] = Tensor.Scalar(2f);
        Assert.Equal(version + 1, t.Version);
        Assert.Equal(t.Version, view.Version);
        Assert.Equal(2f, view[0].Item<float>());
    }

    [Fact]
    public void Views_of_tensors_that_need_no_grad_record_nothing()
    {
        var x = Counting(2, 3);
        using (global::Kiln.Autograd.NoGrad())
        {
            Assert.False(x.Reshape(3, 2).RequiresGrad);
            Assert.False(x[0].RequiresGrad);
        }
        var plain = Tensor.Zeros(2, 3);
        Assert.Null(plain.Transpose(0, 1).GradFn);
        Assert.False(plain[0, 1..].RequiresGrad);
    }

    [Fact]
    public void Writing_into_a_view_of_a_tensor_that_requires_grad_is_refused()
    {
        var y = Counting(2, 3) * 1.0;
        var row = y[0];
        Assert.Throws<NotSupportedException>(() => row.Copy_(Tensor.Ones(3)));
    }
}
