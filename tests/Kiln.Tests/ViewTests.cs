namespace Kiln.Tests;

/// <summary>Views (Tensor.Views.cs): shapes, strides and offsets as PyTorch 1.13 computes them, and storage sharing.</summary>
public class ViewTests
{
    private static Tensor Arange(params long[] shape) => Tensor.Arange(Shapes.Numel(shape)).Reshape(shape);

    [Fact]
    public void View_of_a_contiguous_tensor_shares_storage()
    {
        var t = Arange(2, 3, 4);
        var v = t.View(6, 4);
        Assert.Equal([6L, 4], v.Shape);
        Assert.Equal([4L, 1], v.Strides);
        Assert.True(v.SharesStorageWith(t));
        v.Select(0, 5).Fill_(-1L);
        Assert.Equal([-1L, -1, -1, -1], t[1, 2].ToArray<long>());
    }

    [Fact]
    public void View_infers_one_minus_one()
    {
        var t = Arange(2, 3, 4);
        Assert.Equal([4L, 6], t.View(4, -1).Shape);
        Assert.Equal([24L], t.View(-1).Shape);
        Assert.Contains("only one dim", Assert.Throws<ArgumentException>(() => t.View(-1, -1)).Message);
        Assert.Contains("invalid for input of size 24", Assert.Throws<ArgumentException>(() => t.View(5, -1)).Message);
        Assert.Contains("[5, 5]", Assert.Throws<ArgumentException>(() => t.View(5, 5)).Message);
        Assert.Throws<ArgumentException>(() => t.View(-2, 12));
    }

    [Fact]
    public void View_of_a_strided_slice_merges_compatible_dims_like_PyTorch()
    {
        // x = torch.arange(24).reshape(2, 3, 4)[:, :, ::2]: shape (2, 3, 2), strides (12, 4, 2).
        var x = Arange(2, 3, 4)[.., .., TensorIndex.Slice(step: 2)];
        Assert.Equal([12L, 4, 2], x.Strides);
        Assert.False(x.IsContiguous);
        Assert.Equal([12L, 2], x.View(2, 6).Strides);
        Assert.Equal([2L], x.View(12).Strides);
        Assert.Equal([4L, 2], x.View(6, 2).Strides);
        Assert.Equal([0L, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22], x.View(12).ToArray<long>());
        Assert.True(x.View(12).SharesStorageWith(x));
    }

    [Fact]
    public void View_of_a_transpose_splits_dims_but_cannot_merge_them()
    {
        // y = torch.arange(24).reshape(2, 3, 4).transpose(1, 2): strides (12, 1, 4).
        var y = Arange(2, 3, 4).Transpose(1, 2);
        Assert.Equal([12L, 1, 4], y.Strides);
        Assert.Equal([12L, 2, 1, 4], y.View(2, 2, 2, 3).Strides);
        var e = Assert.Throws<InvalidOperationException>(() => y.View(2, 12));
        Assert.Contains("Reshape", e.Message);
        Assert.Throws<InvalidOperationException>(() => y.View(24));
        Assert.Throws<InvalidOperationException>(() => y.View(8, 3));
    }

    [Fact]
    public void View_through_a_size_1_dim_with_an_offset()
    {
        // torch.zeros(4, 1, 3)[:, :, 1:]: shape (4, 1, 2), strides (3, 3, 1), offset 1.
        var z = Tensor.Arange(12).Reshape(4, 1, 3)[.., .., 1..];
        Assert.Equal(1, z.StorageOffset);
        var v = z.View(4, 2);
        Assert.Equal([3L, 1], v.Strides);
        Assert.Equal(1, v.StorageOffset);
        Assert.Equal([1L, 2, 4, 5, 7, 8, 10, 11], v.ToArray<long>());
        Assert.Equal([6L, 3, 2, 1], z.View(2, 2, 1, 2).Strides);
    }

    [Fact]
    public void Reshape_views_when_it_can_and_copies_when_it_must()
    {
        var t = Arange(3, 4);
        var same = t.Reshape(2, 6);
        Assert.True(same.SharesStorageWith(t));
        var transposed = t.T;
        var copy = transposed.Reshape(12);
        Assert.False(copy.SharesStorageWith(t));
        Assert.True(copy.IsContiguous);
        Assert.Equal([0L, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], copy.ToArray<long>());
        var split = transposed.Reshape(2, 2, 3);
        Assert.True(split.SharesStorageWith(t));
        Assert.Equal([2L, 1, 4], split.Strides);
    }

    [Fact]
    public void Reshape_of_empty_tensors()
    {
        var e = Tensor.Zeros(0, 3);
        Assert.Equal([3L, 0], e.View(3, 0).Shape);
        Assert.Equal([0L], e.Reshape(-1).Shape);
        Assert.Throws<ArgumentException>(() => e.View(-1, 0));
        Assert.Equal([0L, 5], Tensor.Zeros(5, 0).T.Reshape(0, 5).Shape);
    }

    [Fact]
    public void Reshape_to_and_from_0_d()
    {
        var s = Tensor.Scalar(4L);
        Assert.Equal([1L, 1], s.Reshape(1, 1).Shape);
        Assert.Equal(0, Tensor.FromArray(new long[] { 7 }).Reshape().Dim);
        Assert.Equal(7, Tensor.FromArray(new long[] { 7 }).View().Item<long>());
    }

    [Fact]
    public void Flatten_and_unflatten()
    {
        var t = Tensor.Zeros(2, 3, 4, 5);
        Assert.Equal([120L], t.Flatten().Shape);
        Assert.Equal([2L, 60], t.Flatten(1).Shape);
        Assert.Equal([2L, 12, 5], t.Flatten(1, 2).Shape);
        Assert.Equal([2L, 3, 20], t.Flatten(-2).Shape);
        Assert.Equal([1L], Tensor.Scalar(1f).Flatten().Shape);
        Assert.Throws<ArgumentException>(() => t.Flatten(2, 1));
        Assert.True(t.Flatten(1).SharesStorageWith(t));
        var transposed = Arange(2, 3, 4).Transpose(0, 1);
        var flat = transposed.Flatten(1);
        Assert.True(flat.IsContiguous);
        Assert.Equal([0L, 1, 2, 3, 12, 13, 14, 15], flat[0].ToArray<long>());

        Assert.Equal([1L, 5], Tensor.Zeros(5).Unflatten(0, 1, -1).Shape);
        Assert.Equal([2L, 3, 4, 5], Tensor.Zeros(2, 12, 5).Unflatten(1, 3, 4).Shape);
        Assert.Equal([2L, 12, 5, 1], Tensor.Zeros(2, 12, 5).Unflatten(-1, 5, 1).Shape);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 12).Unflatten(1, 5, -1));
    }

    [Fact]
    public void Transpose_swaps_shape_and_strides()
    {
        var t = Arange(2, 3, 4);
        var tr = t.Transpose(0, 2);
        Assert.Equal([4L, 3, 2], tr.Shape);
        Assert.Equal([1L, 4, 12], tr.Strides);
        Assert.True(tr.SharesStorageWith(t));
        Assert.Equal(13, tr[1, 0, 1].Item<long>());
        Assert.Equal([4L, 3, 2], t.Transpose(-1, 0).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Transpose(0, 3));
        var s = Tensor.Scalar(1.0);
        Assert.Equal(0, s.Transpose(0, -1).Dim);
    }

    [Fact]
    public void T_and_MT()
    {
        var m = Arange(2, 3);
        Assert.Equal([3L, 2], m.T.Shape);
        Assert.Equal([1L, 3], m.T.Strides);
        var v = Tensor.Zeros(5);
        Assert.Same(v, v.T);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 3, 4).T);
        Assert.Equal([2L, 4, 3], Tensor.Zeros(2, 3, 4).MT.Shape);
        Assert.Throws<InvalidOperationException>(() => v.MT);
    }

    [Fact]
    public void Permute_reorders_dims()
    {
        var t = Arange(2, 3, 4);
        var p = t.Permute(2, 0, 1);
        Assert.Equal([4L, 2, 3], p.Shape);
        Assert.Equal([1L, 12, 4], p.Strides);
        Assert.Equal(t[1, 2, 3].Item<long>(), p[3, 1, 2].Item<long>());
        Assert.Equal([4L, 2, 3], t.Permute(-1, 0, 1).Shape);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => t.Permute(0, 0, 1)).Message);
        Assert.Contains("expected 3 dims", Assert.Throws<ArgumentException>(() => t.Permute(0, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Permute(0, 1, 3));
    }

    [Fact]
    public void Squeeze_removes_size_1_dims()
    {
        var t = Tensor.Zeros(2, 1, 3, 1);
        Assert.Equal([2L, 3], t.Squeeze().Shape);
        Assert.Equal([2L, 3, 1], t.Squeeze(1).Shape);
        Assert.Equal([2L, 1, 3, 1], t.Squeeze(0).Shape);
        Assert.Equal([2L, 1, 3], t.Squeeze(-1).Shape);
        Assert.Equal([2L, 3], t.Squeeze(1, 3).Shape);
        Assert.Equal(0, Tensor.Zeros(1, 1).Squeeze().Dim);
        Assert.True(t.Squeeze().SharesStorageWith(t));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Squeeze(4));
    }

    [Fact]
    public void Unsqueeze_inserts_a_size_1_dim_with_PyTorch_strides()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Equal([2L, 3, 1], t.Unsqueeze(2).Shape);
        Assert.Equal([3L, 1, 1], t.Unsqueeze(2).Strides);
        Assert.Equal([6L, 3, 1], t.Unsqueeze(0).Strides);
        Assert.Equal([2L, 3, 1], t.Unsqueeze(-1).Shape);
        Assert.Equal([1L, 6, 3], t.T.Unsqueeze(1).Strides);
        Assert.Equal([1L], Tensor.Scalar(1f).Unsqueeze(0).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Unsqueeze(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Unsqueeze(-4));
    }

    [Fact]
    public void Expand_broadcasts_with_stride_0()
    {
        var t = Tensor.FromArray(new long[] { 1, 2, 3 }, 3, 1);
        var e = t.Expand(2, 3, 4);
        Assert.Equal([2L, 3, 4], e.Shape);
        Assert.Equal([0L, 1, 0], e.Strides);
        Assert.True(e.SharesStorageWith(t));
        Assert.Equal([1L, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], e[1].ToArray<long>());
        Assert.Equal([3L, 4], t.Expand(-1, 4).Shape);
        Assert.Equal([3L, 0], t.Expand(3, 0).Shape);
        Assert.Equal([2L, 2], Tensor.Scalar(5L).Expand(2, 2).Shape);
        Assert.Equal([3L, 5], t.ExpandAs(Tensor.Zeros(3, 5)).Shape);
        Assert.Contains("which is not 1", Assert.Throws<ArgumentException>(() => t.Expand(4, 4)).Message);
        Assert.Contains("fewer dims", Assert.Throws<ArgumentException>(() => t.Expand(3)).Message);
        Assert.Throws<ArgumentException>(() => t.Expand(-1, 3, 4));
    }

    [Fact]
    public void Narrow_takes_a_range_of_a_dim()
    {
        var w = Arange(3, 4);
        var n = w.Narrow(1, -2, 2);
        Assert.Equal([2L, 3, 6, 7, 10, 11], n.ToArray<long>());
        Assert.Equal(2, n.StorageOffset);
        Assert.True(n.SharesStorageWith(w));
        Assert.Equal([0L, 4], w.Narrow(0, 3, 0).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Narrow(1, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Narrow(0, -4, 1));
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Narrow(0, 0, 1));
    }

    [Fact]
    public void Slice_is_Python_style()
    {
        var t = Tensor.Arange(10);
        Assert.Equal([7L, 8, 9], t.Slice(0, -3).ToArray<long>());
        Assert.Equal([0L, 4, 8], t.Slice(0, step: 4).ToArray<long>());
        Assert.Equal([4L], t.Slice(0, step: 4).Strides);
        Assert.Equal(0, t.Slice(0, 8, 3).Numel);
        Assert.Equal([8L, 9], t.Slice(0, 8, 100).ToArray<long>());
        Assert.Equal([0L, 1], t.Slice(0, -100, 2).ToArray<long>());
        Assert.Equal([1L, 4, 7], t.Slice(0, 1, 9, 3).ToArray<long>());
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(0, step: 0));
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Slice(0));
        var m = Arange(3, 4).Slice(1, 1, 3);
        Assert.Equal([3L, 2], m.Shape);
        Assert.Equal(1, m.StorageOffset);
    }

    [Fact]
    public void Select_removes_the_dim()
    {
        var w = Arange(3, 4);
        Assert.Equal([3L, 7, 11], w.Select(1, -1).ToArray<long>());
        Assert.Equal([4L, 5, 6, 7], w.Select(0, 1).ToArray<long>());
        Assert.Equal(4, w.Select(0, 1).StorageOffset);
        var e = Assert.Throws<IndexOutOfRangeException>(() => w.Select(1, 4));
        Assert.Contains("dim 1", e.Message);
        Assert.Contains("size 4", e.Message);
        Assert.Throws<IndexOutOfRangeException>(() => w.Select(0, -4));
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Select(0, 0));
    }

    [Fact]
    public void Contiguous_returns_itself_or_a_packed_copy()
    {
        var t = Arange(3, 4);
        Assert.Same(t, t.Contiguous());
        var tr = t.T;
        var c = tr.Contiguous();
        Assert.NotSame(tr, c);
        Assert.True(c.IsContiguous);
        Assert.False(c.SharesStorageWith(t));
        Assert.Equal([3L, 1], c.Strides);
        Assert.Equal(tr.ToArray<long>(), c.ToArray<long>());
        var sliced = t[1..];
        Assert.True(sliced.IsContiguous);
        Assert.Same(sliced, sliced.Contiguous());
    }

    [Fact]
    public void Clone_has_its_own_storage()
    {
        var t = Arange(2, 3).T;
        var c = t.Clone();
        Assert.False(c.SharesStorageWith(t));
        Assert.True(c.IsContiguous);
        Assert.Equal(t.ToArray<long>(), c.ToArray<long>());
        c.Fill_(0L);
        Assert.Equal([0L, 3, 1, 4, 2, 5], t.ToArray<long>());
    }

    [Fact]
    public void Contiguity_ignores_size_1_dims_and_empty_tensors()
    {
        Assert.True(Tensor.Zeros(3, 1).T.IsContiguous);
        Assert.True(Tensor.Zeros(0, 3).T.IsContiguous);
        Assert.False(Tensor.Zeros(2, 3).T.IsContiguous);
        Assert.True(Tensor.Zeros(1, 4).Expand(1, 4).IsContiguous);
        Assert.False(Tensor.Zeros(1, 4).Expand(2, 4).IsContiguous);
    }

    [Fact]
    public void Views_of_views_write_through_to_the_base()
    {
        var t = Tensor.Zeros([4, 6], DType.Int32);
        var v = t.T.Reshape(2, 3, 4).Select(1, 2).Narrow(1, 1, 2);
        Assert.True(v.SharesStorageWith(t));
        v.Fill_(1L);
        var expected = new int[24];
        // t.T is 6 x 4 with strides (1, 6); as 2 x 3 x 4 its strides are (3, 1, 6); Select(1, 2) and Narrow(1, 1, 2) leave
        // storage offsets 8, 14, 11 and 17: t[1, 2], t[2, 2], t[1, 5] and t[2, 5].
        foreach (var (r, c) in new[] { (1, 2), (2, 2), (1, 5), (2, 5) }) expected[r * 6 + c] = 1;
        Assert.Equal(expected, t.ToArray<int>());
    }

    /// <summary>
    /// Random strided tensors (a base sliced with steps, then permuted) viewed as random shapes: whether PyTorch
    /// 1.13 allows the view, and its strides (-1 where a dim has size 1, whose stride does not matter).
    /// </summary>
    public static IEnumerable<object?[]> StridedViews => new object?[][]
    {
        [new long[] { 4, 3 }, new long[] { 2, 1 }, new long[] { 1, 0 }, new long[] { 6 }, null],
        [new long[] { 4, 4, 4 }, new long[] { 2, 2, 1 }, new long[] { 2, 0, 1 }, new long[] { 2, 8 }, null],
        [new long[] { 1, 1, 2, 1 }, new long[] { 1, 1, 1, 1 }, new long[] { 0, 1, 2, 3 }, new long[] { 2, 1, 1, 1 }, new long[] { 1, -1, -1, -1 }],
        [new long[] { 3, 1 }, new long[] { 1, 1 }, new long[] { 0, 1 }, new long[] { 3, 1 }, new long[] { 1, -1 }],
        [new long[] { 6, 8, 4, 6 }, new long[] { 2, 2, 1, 2 }, new long[] { 2, 0, 3, 1 }, new long[] { 18, 8, 1 }, null],
        [new long[] { 6, 2 }, new long[] { 2, 2 }, new long[] { 1, 0 }, new long[] { 1, 3, 1 }, new long[] { -1, 4, -1 }],
        [new long[] { 1 }, new long[] { 1 }, new long[] { 0 }, new long[] { 1, 1, 1, 1 }, new long[] { -1, -1, -1, -1 }],
        [new long[] { 1, 4, 2 }, new long[] { 1, 1, 1 }, new long[] { 2, 0, 1 }, new long[] { 8 }, null],
        [new long[] { 3, 3, 2, 1 }, new long[] { 1, 1, 1, 1 }, new long[] { 2, 1, 3, 0 }, new long[] { 2, 9, 1 }, null],
        [new long[] { 1, 3 }, new long[] { 1, 1 }, new long[] { 1, 0 }, new long[] { 3, 1, 1, 1 }, new long[] { 1, -1, -1, -1 }],
        [new long[] { 8, 2, 6, 4 }, new long[] { 2, 2, 2, 1 }, new long[] { 0, 3, 1, 2 }, new long[] { 8, 3, 2 }, null],
        [new long[] { 1, 4, 6 }, new long[] { 1, 1, 2 }, new long[] { 1, 0, 2 }, new long[] { 12 }, new long[] { 2 }],
        [new long[] { 3, 6, 3, 8 }, new long[] { 1, 2, 1, 2 }, new long[] { 3, 2, 1, 0 }, new long[] { 2, 3, 9, 2 }, null],
        [new long[] { 2, 3, 4 }, new long[] { 1, 1, 2 }, new long[] { 0, 2, 1 }, new long[] { 1, 2, 1, 6 }, null],
        [new long[] { 2 }, new long[] { 1 }, new long[] { 0 }, new long[] { 2, 1 }, new long[] { 1, -1 }],
        [new long[] { 6, 2 }, new long[] { 2, 1 }, new long[] { 1, 0 }, new long[] { 6 }, null],
        [new long[] { 2, 4, 4 }, new long[] { 1, 1, 2 }, new long[] { 1, 0, 2 }, new long[] { 2, 1, 4, 2 }, null],
        [new long[] { 2, 1 }, new long[] { 2, 1 }, new long[] { 0, 1 }, new long[] { 1, 1 }, new long[] { -1, -1 }],
        [new long[] { 1, 3, 4 }, new long[] { 1, 1, 2 }, new long[] { 0, 2, 1 }, new long[] { 3, 1, 2 }, null],
        [new long[] { 4, 4, 1 }, new long[] { 1, 1, 1 }, new long[] { 2, 1, 0 }, new long[] { 1, 16, 1, 1 }, null],
        [new long[] { 8 }, new long[] { 2 }, new long[] { 0 }, new long[] { 2, 2, 1 }, new long[] { 4, 2, -1 }],
        [new long[] { 2, 1, 3 }, new long[] { 1, 1, 1 }, new long[] { 1, 2, 0 }, new long[] { 1, 1, 2, 3 }, null],
        [new long[] { 8 }, new long[] { 2 }, new long[] { 0 }, new long[] { 4 }, new long[] { 2 }],
        [new long[] { 2, 2, 4 }, new long[] { 1, 2, 1 }, new long[] { 2, 0, 1 }, new long[] { 4, 2, 1 }, new long[] { 1, 8, -1 }],
        [new long[] { 1, 6, 2, 2 }, new long[] { 1, 2, 1, 1 }, new long[] { 2, 0, 3, 1 }, new long[] { 12 }, null],
        [new long[] { 2, 6, 4, 3 }, new long[] { 2, 2, 2, 1 }, new long[] { 3, 2, 1, 0 }, new long[] { 18 }, null],
        [new long[] { 1, 1 }, new long[] { 1, 1 }, new long[] { 0, 1 }, new long[] { 1 }, new long[] { -1 }],
        [new long[] { 3, 2, 6, 1 }, new long[] { 1, 1, 2, 1 }, new long[] { 0, 3, 1, 2 }, new long[] { 3, 6 }, new long[] { 12, 2 }],
        [new long[] { 1, 4, 1, 4 }, new long[] { 1, 2, 1, 1 }, new long[] { 0, 3, 1, 2 }, new long[] { 8 }, null],
        [new long[] { 6 }, new long[] { 2 }, new long[] { 0 }, new long[] { 1, 3, 1, 1 }, new long[] { -1, 2, -1, -1 }],
        [new long[] { 4, 8, 1, 4 }, new long[] { 1, 2, 1, 2 }, new long[] { 2, 3, 1, 0 }, new long[] { 1, 2, 4, 4 }, new long[] { -1, 2, 8, 32 }],
        [new long[] { 3 }, new long[] { 1 }, new long[] { 0 }, new long[] { 1, 1, 3 }, new long[] { -1, -1, 1 }],
        [new long[] { 2, 8, 1, 6 }, new long[] { 2, 2, 1, 2 }, new long[] { 2, 3, 1, 0 }, new long[] { 4, 3 }, null],
        [new long[] { 2 }, new long[] { 2 }, new long[] { 0 }, new long[] { 1 }, new long[] { -1 }],
        [new long[] { 1, 3 }, new long[] { 1, 1 }, new long[] { 1, 0 }, new long[] { 1, 3, 1, 1 }, new long[] { -1, 1, -1, -1 }],
        [new long[] { 1, 2, 4 }, new long[] { 1, 2, 2 }, new long[] { 1, 2, 0 }, new long[] { 2, 1, 1 }, new long[] { 2, -1, -1 }],
        [new long[] { 1, 4 }, new long[] { 1, 2 }, new long[] { 1, 0 }, new long[] { 2, 1, 1, 1 }, new long[] { 2, -1, -1, -1 }],
        [new long[] { 6, 4, 3 }, new long[] { 2, 1, 1 }, new long[] { 2, 0, 1 }, new long[] { 12, 3, 1, 1 }, null],
        [new long[] { 4, 8 }, new long[] { 1, 2 }, new long[] { 0, 1 }, new long[] { 2, 8 }, new long[] { 16, 2 }],
        [new long[] { 8 }, new long[] { 2 }, new long[] { 0 }, new long[] { 2, 2, 1, 1 }, new long[] { 4, 2, -1, -1 }],
        [new long[] { 2, 4, 6, 2 }, new long[] { 1, 2, 2, 1 }, new long[] { 0, 3, 2, 1 }, new long[] { 12, 1, 1, 2 }, null],
        [new long[] { 2, 3, 1 }, new long[] { 1, 1, 1 }, new long[] { 1, 2, 0 }, new long[] { 1, 6, 1 }, null],
        [new long[] { 8, 2, 8 }, new long[] { 2, 1, 2 }, new long[] { 1, 0, 2 }, new long[] { 4, 1, 2, 4 }, null],
        [new long[] { 4 }, new long[] { 1 }, new long[] { 0 }, new long[] { 4, 1 }, new long[] { 1, -1 }],
        [new long[] { 2 }, new long[] { 1 }, new long[] { 0 }, new long[] { 1, 2 }, new long[] { -1, 1 }],
        [new long[] { 2, 2, 1 }, new long[] { 1, 1, 1 }, new long[] { 2, 0, 1 }, new long[] { 1, 1, 2, 2 }, new long[] { -1, -1, 2, 1 }],
        [new long[] { 1 }, new long[] { 1 }, new long[] { 0 }, new long[] { 1, 1, 1 }, new long[] { -1, -1, -1 }],
        [new long[] { 3 }, new long[] { 1 }, new long[] { 0 }, new long[] { 3, 1, 1, 1 }, new long[] { 1, -1, -1, -1 }],
        [new long[] { 1, 4, 4, 4 }, new long[] { 1, 2, 1, 1 }, new long[] { 3, 1, 0, 2 }, new long[] { 32 }, null],
        [new long[] { 1, 3, 6 }, new long[] { 1, 1, 2 }, new long[] { 0, 1, 2 }, new long[] { 9 }, new long[] { 2 }],
        [new long[] { 8 }, new long[] { 2 }, new long[] { 0 }, new long[] { 1, 1, 4 }, new long[] { -1, -1, 2 }],
        [new long[] { 2, 4, 2 }, new long[] { 1, 2, 1 }, new long[] { 1, 2, 0 }, new long[] { 4, 2 }, null],
        [new long[] { 3, 2, 8, 4 }, new long[] { 1, 1, 2, 1 }, new long[] { 1, 3, 2, 0 }, new long[] { 2, 4, 12, 1 }, null],
        [new long[] { 3 }, new long[] { 1 }, new long[] { 0 }, new long[] { 1, 1, 1, 3 }, new long[] { -1, -1, -1, 1 }],
        [new long[] { 2, 4 }, new long[] { 2, 1 }, new long[] { 1, 0 }, new long[] { 1, 4, 1 }, new long[] { -1, 1, -1 }],
        [new long[] { 4, 1, 3, 8 }, new long[] { 1, 1, 1, 2 }, new long[] { 1, 3, 2, 0 }, new long[] { 48 }, null],
        [new long[] { 8, 4 }, new long[] { 2, 1 }, new long[] { 1, 0 }, new long[] { 1, 8, 1, 2 }, null],
        [new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 0, 1 }, new long[] { 4 }, new long[] { 1 }],
        [new long[] { 8, 6, 6, 4 }, new long[] { 2, 2, 2, 1 }, new long[] { 1, 2, 0, 3 }, new long[] { 144 }, null],
        [new long[] { 8, 4 }, new long[] { 2, 2 }, new long[] { 0, 1 }, new long[] { 2, 4 }, null],
    };

    [Theory]
    [MemberData(nameof(StridedViews))]
    public void View_of_strided_tensors_agrees_with_PyTorch(long[] baseShape, long[] steps, long[] permutation, long[] target, long[]? strides)
    {
        var x = Arange(baseShape);
        for (int d = 0; d < steps.Length; d++) x = x.Slice(d, step: steps[d]);
        x = x.Permute(permutation);
        if (strides is null)
        {
            Assert.Throws<InvalidOperationException>(() => x.View(target));
            Assert.Equal(x.ToArray<long>(), x.Reshape(target).ToArray<long>());
            return;
        }
        var v = x.View(target);
        Assert.True(v.SharesStorageWith(x));
        Assert.Equal(target, v.Shape);
        for (int d = 0; d < target.Length; d++)
        {
            if (strides[d] >= 0) Assert.Equal(strides[d], v.Stride(d));
        }
        Assert.Equal(x.ToArray<long>(), v.ToArray<long>());
    }
}
