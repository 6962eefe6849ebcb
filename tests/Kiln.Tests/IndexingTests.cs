namespace Kiln.Tests;

public class IndexingTests
{
    /// <summary>C# index → (the same index in Python, the C# index, the shape and values PyTorch 1.13 gives on <c>arange(24).reshape(2, 3, 4)</c>).</summary>
    private static readonly Dictionary<string, (string Python, Func<Tensor, Tensor> Index, long[] Shape, long[] Values)> Cases = new()
    {
        ["t[.., 1..3]"] = ("t[:, 1:3]", t => t[.., 1..3], [2, 2, 4], [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[^1]"] = ("t[-1]", t => t[^1], [3, 4], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[-1]"] = ("t[-1]", t => t[-1], [3, 4], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[0, .., 2]"] = ("t[0, :, 2]", t => t[0, .., 2], [3], [2, 6, 10]),
        ["t[TensorIndex.Ellipsis, 0]"] = ("t[..., 0]", t => t[TensorIndex.Ellipsis, 0], [2, 3], [0, 4, 8, 12, 16, 20]),
        ["t[TensorIndex.NewAxis]"] = ("t[None]", t => t[TensorIndex.NewAxis], [1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[.., TensorIndex.NewAxis, 1]"] = ("t[:, None, 1]", t => t[.., TensorIndex.NewAxis, 1], [2, 1, 4], [4, 5, 6, 7, 16, 17, 18, 19]),
        ["t[1, TensorIndex.Ellipsis, TensorIndex.NewAxis]"] = ("t[1, ..., None]", t => t[1, TensorIndex.Ellipsis, TensorIndex.NewAxis], [3, 4, 1], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[TensorIndex.Ellipsis, TensorIndex.Slice(null, null, 2)]"] = ("t[..., ::2]", t => t[TensorIndex.Ellipsis, TensorIndex.Slice(null, null, 2)], [2, 3, 2], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]),
        ["t[.., ^2..]"] = ("t[:, -2:]", t => t[.., ^2..], [2, 2, 4], [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[.., ..^1]"] = ("t[:, :-1]", t => t[.., ..^1], [2, 2, 4], [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]),
        ["t[.., 3..]"] = ("t[:, 3:]", t => t[.., 3..], [2, 0, 4], []),
        ["t[0, 1..100]"] = ("t[0, 1:100]", t => t[0, 1..100], [2, 4], [4, 5, 6, 7, 8, 9, 10, 11]),
        ["t[.., TensorIndex.Slice(-100, 2)]"] = ("t[:, -100:2]", t => t[.., TensorIndex.Slice(-100, 2)], [2, 2, 4], [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]),
        ["t[1, 2, 3]"] = ("t[1, 2, 3]", t => t[1, 2, 3], [], [23]),
        ["t[-2, -3, -4]"] = ("t[-2, -3, -4]", t => t[-2, -3, -4], [], [0]),
        ["t[TensorIndex.Ellipsis, 1, ..]"] = ("t[..., 1, :]", t => t[TensorIndex.Ellipsis, 1, ..], [2, 4], [4, 5, 6, 7, 16, 17, 18, 19]),
        ["t[TensorIndex.Ellipsis]"] = ("t[...]", t => t[TensorIndex.Ellipsis], [2, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[TensorIndex.NewAxis, TensorIndex.Ellipsis, TensorIndex.NewAxis]"] = ("t[None, ..., None]", t => t[TensorIndex.NewAxis, TensorIndex.Ellipsis, TensorIndex.NewAxis], [1, 2, 3, 4, 1], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        ["t[1.., TensorIndex.Slice(null, null, 2), TensorIndex.Slice(1, null, 2)]"] = ("t[1:, ::2, 1::2]", t => t[1.., TensorIndex.Slice(null, null, 2), TensorIndex.Slice(1, null, 2)], [1, 2, 2], [13, 15, 21, 23]),
        ["t.Transpose(0, 2)[1..3, 0]"] = ("t.transpose(0, 2)[1:3, 0]", t => t.Transpose(0, 2)[1..3, 0], [2, 2], [1, 13, 2, 14]),
        ["t[.., 2..1]"] = ("t[:, 2:1]", t => t[.., 2..1], [2, 0, 4], []),
        ["t[0][1][2]"] = ("t[0][1][2]", t => t[0][1][2], [], [6]),
        ["t[TensorIndex.Ellipsis, ^1, ^1]"] = ("t[..., -1, -1]", t => t[TensorIndex.Ellipsis, ^1, ^1], [2], [11, 23]),
        ["t[.., .., 1..3][1]"] = ("t[:, :, 1:3][1]", t => t[.., .., 1..3][1], [3, 2], [13, 14, 17, 18, 21, 22]),
        ["t[0, TensorIndex.NewAxis, .., TensorIndex.NewAxis, 1..]"] = ("t[0, None, :, None, 1:]", t => t[0, TensorIndex.NewAxis, .., TensorIndex.NewAxis, 1..], [1, 3, 1, 3], [1, 2, 3, 5, 6, 7, 9, 10, 11]),
        ["t[.., TensorIndex.Slice(0, 3, 2), TensorIndex.Slice(-3, -1)]"] = ("t[:, 0:3:2, -3:-1]", t => t[.., TensorIndex.Slice(0, 3, 2), TensorIndex.Slice(-3, -1)], [2, 2, 2], [1, 2, 9, 10, 13, 14, 21, 22]),
        ["t[1, 1]"] = ("t[1, 1]", t => t[1, 1], [4], [16, 17, 18, 19]),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Indexes_like_PyTorch(string name)
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        var (python, index, shape, values) = Cases[name];
        var result = index(t);
        Assert.True(shape.SequenceEqual(result.Shape), $"{name} (Python {python}): shape {Shapes.Format(result.Shape)}, expected {Shapes.Format(shape)}");
        Assert.Equal(values, result.ToArray<long>());
        Assert.True(result.SharesStorageWith(t), $"{name} should be a view");
    }

    [Fact]
    public void Range_slice_is_a_view_that_shares_storage()
    {
        var t = Tensor.Arange(12, dtype: DType.Float32).Reshape(3, 4);
        Tensor view = t[.., 1..3];
        Assert.Equal([3L, 2], view.Shape);
        Assert.True(view.SharesStorageWith(t));
        Assert.Equal([4L, 1], view.Strides);
        Assert.Equal(1, view.StorageOffset);
        view.Fill_(-1.0);
        Assert.Equal([0f, -1, -1, 3, 4, -1, -1, 7, 8, -1, -1, 11], t.ToArray<float>());
    }

    [Fact]
    public void Index_from_end_and_negative_index_agree()
    {
        var t = Tensor.Arange(10);
        Assert.Equal(9, t[^1].Item<long>());
        Assert.Equal(9, t[-1].Item<long>());
        Assert.Equal(7, t[^3].Item<long>());
        Assert.Equal(7, t[-3L].Item<long>());
        Assert.Equal(0, t[TensorIndex.At(-10)].Item<long>());
    }

    [Fact]
    public void Integer_index_gives_a_0_d_view()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        var element = t[1, 2];
        Assert.Equal(0, element.Dim);
        Assert.Equal(5, element.Item<long>());
        Assert.Equal(5, element.StorageOffset);
        Assert.True(element.SharesStorageWith(t));
    }

    [Theory]
    [InlineData(3, 0, 3)]
    [InlineData(-4, 0, 3)]
    public void Out_of_range_integer_names_the_dim_and_size(int index, int dim, int size)
    {
        var t = Tensor.Zeros(3, 4);
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[index]);
        Assert.Contains($"dim {dim}", e.Message);
        Assert.Contains($"size {size}", e.Message);
        Assert.Contains(index.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public void Out_of_range_in_a_later_dim_names_that_dim()
    {
        var t = Tensor.Zeros(3, 4);
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[.., 4]);
        Assert.Contains("dim 1", e.Message);
        Assert.Contains("size 4", e.Message);
        var after = Assert.Throws<IndexOutOfRangeException>(() => t[TensorIndex.Ellipsis, ^5]);
        Assert.Contains("^5", after.Message);
        Assert.Contains("dim 1", after.Message);
    }

    [Fact]
    public void Index_from_end_zero_is_out_of_range()
    {
        var t = Tensor.Zeros(3);
        Assert.Throws<IndexOutOfRangeException>(() => t[^0]);
    }

    [Fact]
    public void Too_many_indices_is_a_clear_error()
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t[0, 0, 0]);
        Assert.Contains("too many indices", e.Message);
        Assert.Contains("rank 2", e.Message);
        Assert.Throws<ArgumentException>(() => t[.., .., TensorIndex.Ellipsis, 0]);
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.5f)[0]);
    }

    [Fact]
    public void Two_ellipses_are_an_error()
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t[TensorIndex.Ellipsis, TensorIndex.Ellipsis]);
        Assert.Contains("ellipsis", e.Message);
    }

    [Fact]
    public void Non_positive_step_is_an_error()
    {
        var t = Tensor.Zeros(5);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[TensorIndex.Slice(null, null, 0)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[TensorIndex.Slice(null, null, -1)]);
    }

    [Fact]
    public void Zero_d_tensor_accepts_ellipsis_and_new_axis()
    {
        var s = Tensor.Scalar(2.5);
        Assert.Equal(0, s[TensorIndex.Ellipsis].Dim);
        Assert.Equal(2.5, s[TensorIndex.Ellipsis].Item<double>());
        Assert.Equal([1L], s[TensorIndex.NewAxis].Shape);
        Assert.Equal([1L, 1], s[TensorIndex.NewAxis, TensorIndex.NewAxis].Shape);
    }

    [Fact]
    public void Getter_returns_a_new_view_object_even_for_the_whole_tensor()
    {
        var t = Tensor.Zeros(2, 2);
        var all = t[TensorIndex.Ellipsis];
        Assert.NotSame(t, all);
        Assert.True(all.SharesStorageWith(t));
        Assert.Equal(t.Shape, all.Shape);
    }

    [Fact]
    public void Setter_broadcasts_and_converts_into_the_view()
    {
        var t = Tensor.Zeros(3, 4);
        t[.., 0] = Tensor.FromArray(new long[] { 1, 2, 3 });
        t[1, 1..] = Tensor.Scalar(7.5);
        t[2] = Tensor.FromArray(new double[] { 9, 8, 7, 6 });
        Assert.Equal([1f, 0, 0, 0, 2, 7.5f, 7.5f, 7.5f, 9, 8, 7, 6], t.ToArray<float>());
    }

    [Fact]
    public void Setter_broadcasts_a_row_over_a_block()
    {
        var t = Tensor.Zeros([2, 3, 2], dtype: DType.Int32);
        t[TensorIndex.Ellipsis, 1] = Tensor.FromArray(new int[] { 4, 5, 6 });
        Assert.Equal([0, 4, 0, 5, 0, 6, 0, 4, 0, 5, 0, 6], t.ToArray<int>());
    }

    [Fact]
    public void Setter_through_a_non_contiguous_base_writes_the_right_elements()
    {
        var t = Tensor.Zeros([3, 4], dtype: DType.Int64);
        var transposed = t.T;
        transposed[1] = Tensor.FromArray(new long[] { 1, 2, 3 });
        Assert.Equal([0L, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0], t.ToArray<long>());
    }

    [Fact]
    public void Setter_with_a_shape_that_does_not_broadcast_throws()
    {
        var t = Tensor.Zeros(3, 4);
        Assert.Throws<ArgumentException>(() => t[.., 0] = Tensor.Zeros(4));
    }

    [Fact]
    public void Index_entries_print_in_Python_syntax()
    {
        Assert.Equal("2", ((TensorIndex)2).ToString());
        Assert.Equal("^1", ((TensorIndex)(^1)).ToString());
        Assert.Equal("1:3", ((TensorIndex)(1..3)).ToString());
        Assert.Equal("^2:^0", ((TensorIndex)(^2..)).ToString());
        Assert.Equal("::2", TensorIndex.Slice(step: 2).ToString());
        Assert.Equal("-3:-1", TensorIndex.Slice(-3, -1).ToString());
        Assert.Equal("...", TensorIndex.Ellipsis.ToString());
        Assert.Equal("None", TensorIndex.NewAxis.ToString());
    }

    [Fact]
    public void Named_conversions_match_the_implicit_ones()
    {
        Assert.Equal((TensorIndex)5L, TensorIndex.FromInt64(5));
        Assert.Equal((TensorIndex)(^2), TensorIndex.FromIndex(^2));
        Assert.Equal((TensorIndex)(1..), TensorIndex.FromRange(1..));
        Assert.NotEqual((TensorIndex)1, (TensorIndex)(^1));
    }
}
