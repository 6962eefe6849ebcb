using Kiln.IR;
using Kiln.IR.Ops;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

// The indexing ops beyond what the OpInfo samples cover: out-of-range indices, repeated indices that
// accumulate, in-place forms, the Tensor API, and large inputs (the parallel paths) against plain loops.
// Expected values come from PyTorch 1.13 (/usr/bin/python3).
public class IndexingOpsTests
{
    private static Tensor Grid(int rows = 3, int cols = 4) => Tensor.Arange(rows * cols, DType.Float32).Reshape(rows, cols);

    private static Tensor Longs(params long[] values) => Tensor.FromArray(values);

    private static Tensor Longs2(long[] values, long rows, long cols) => Tensor.FromArray(values, rows, cols);

    private static readonly Dictionary<string, (Func<Tensor> Call, string[] Mentions)> OutOfRange = new()
    {
        ["gather"] = (() => Grid().Gather(1, Longs2([0, 4], 1, 2)), ["gather", "index 4", "dim 1", "size 4"]),
        ["gather negative"] = (() => Grid().Gather(1, Longs2([-1], 1, 1)), ["gather", "index -1", "dim 1", "size 4"]),
        ["scatter"] = (() => Grid().Scatter(0, Longs2([3], 1, 1), Grid()), ["scatter", "index 3", "dim 0", "size 3"]),
        ["scatter value"] = (() => Grid().Scatter(1, Longs2([-1], 1, 1), 2.5), ["scatter", "index -1", "dim 1", "size 4"]),
        ["scatter_add"] = (() => Grid().ScatterAdd(1, Longs2([5], 1, 1), Grid()), ["scatter_add", "index 5", "dim 1", "size 4"]),
        ["scatter_reduce"] = (() => Grid().ScatterReduce(0, Longs2([7], 1, 1), Grid(), "amax"), ["scatter_reduce", "index 7", "dim 0", "size 3"]),
        ["index_select"] = (() => Grid().IndexSelect(0, Longs(0, 3)), ["index_select", "index 3", "dim 0", "size 3"]),
        ["index_select negative"] = (() => Grid().IndexSelect(1, Longs(-1)), ["index_select", "index -1", "dim 1", "size 4"]),
        ["index_add"] = (() => Grid().IndexAdd(1, Longs(4), Tensor.Ones(3, 1)), ["index_add", "index 4", "dim 1", "size 4"]),
        ["embedding"] = (() => F.Embedding(Longs(1, 10), Grid(10, 3)), ["embedding", "index 10", "dim 0", "size 10"]),
        ["index"] = (() => Grid().Index(null, Longs(4)), ["index", "index 4", "dim 1", "size 4"]),
        ["index negative"] = (() => Grid().Index(Longs(-4)), ["index", "index -4", "dim 0", "size 3"]),
        ["index_put"] = (() => Grid().IndexPut([Longs(3)], Tensor.Scalar(1f)), ["index_put", "index 3", "dim 0", "size 3"]),
        ["index_put accumulate"] = (() => Grid().IndexPut([null, Longs(-5)], Tensor.Scalar(1f), accumulate: true), ["index_put", "index -5", "dim 1", "size 4"]),
        ["one_hot"] = (() => F.OneHot(Longs(0, 3), 3), ["one_hot", "3", "num_classes 3"]),
        ["one_hot negative"] = (() => F.OneHot(Longs(-1)), ["one_hot", "-1", "non-negative"]),
    };

    public static TheoryData<string> OutOfRangeNames => new(OutOfRange.Keys);

    [Theory]
    [MemberData(nameof(OutOfRangeNames))]
    public void Out_of_range_index_throws_naming_the_op_the_value_the_dim_and_its_size(string name)
    {
        var (call, mentions) = OutOfRange[name];
        var error = Assert.Throws<IndexOutOfRangeException>(() => call());
        foreach (var m in mentions)
            Assert.True(error.Message.Contains(m, StringComparison.Ordinal), $"{name}: \"{error.Message}\" does not mention '{m}'");
    }

    [Fact]
    public void In_place_ops_check_every_index_before_writing_anything()
    {
        var t = Grid();
        var before = t.ToArray<float>();
        Assert.Throws<IndexOutOfRangeException>(() => t.Scatter_(1, Longs2([0, 9], 1, 2), Grid()));
        Assert.Throws<IndexOutOfRangeException>(() => t.ScatterAdd_(1, Longs2([0, 9], 1, 2), Grid()));
        Assert.Throws<IndexOutOfRangeException>(() => t.IndexAdd_(0, Longs(0, 3), Tensor.Ones(2, 4)));
        Assert.Throws<IndexOutOfRangeException>(() => t.IndexPut_([Longs(0, 3)], Tensor.Scalar(5f)));
        Assert.Equal(before, t.ToArray<float>());
    }

    [Fact]
    public void Index_and_index_put_count_negative_indices_from_the_end()
    {
        var t = Grid();
        Assert.Equal([8f, 9, 10, 11, 0, 1, 2, 3], t.Index(Longs(-1, 0)).ToArray<float>());
        var put = t.IndexPut([null, Longs(-1)], Tensor.Scalar(-7f));
        Assert.Equal([0f, 1, 2, -7, 4, 5, 6, -7, 8, 9, 10, -7], put.ToArray<float>());
        Assert.Equal(Grid().ToArray<float>(), t.ToArray<float>());
    }

    [Fact]
    public void Repeated_indices_accumulate_in_index_put_scatter_add_and_index_add()
    {
        var put = Tensor.Zeros(3).IndexPut([Longs(0, 0, 2, -1)], Tensor.FromArray([1f, 2, 3, 4]), accumulate: true);
        Assert.Equal([3f, 0, 7], put.ToArray<float>());
        var scattered = Tensor.Zeros(3).ScatterAdd(0, Longs(0, 0, 2), Tensor.FromArray([1f, 2, 3]));
        Assert.Equal([3f, 0, 3], scattered.ToArray<float>());
        var added = Tensor.Zeros(2, 2).IndexAdd(0, Longs(1, 1, 0), Tensor.Ones(3, 2), alpha: 2);
        Assert.Equal([2f, 2, 4, 4], added.ToArray<float>());
        var bools = Tensor.FromArray([false, true]).IndexPut([Longs(0, 0)], Tensor.FromArray([false, true]), accumulate: true);
        Assert.Equal([true, true], bools.ToArray<bool>());
        var wrapped = Tensor.FromArray(new sbyte[] { 100 }).IndexPut([Longs(0, 0)], Tensor.FromArray(new sbyte[] { 100, 100 }), accumulate: true);
        Assert.Equal([(sbyte)44], wrapped.ToArray<sbyte>());
    }

    [Fact]
    public void Scatter_reduce_without_self_starts_from_the_scattered_values()
    {
        var src = Tensor.FromArray([2f, 5, 7]);
        Assert.Equal([3.5f, 1, 7], Tensor.Ones(3).ScatterReduce(0, Longs(0, 0, 2), src, "mean", includeSelf: false).ToArray<float>());
        Assert.Equal([5f, 9, 7], Tensor.Full([3], 9.0).ScatterReduce(0, Longs(0, 0, 2), src, "amax", includeSelf: false).ToArray<float>());
        Assert.Equal([8f / 3, 1, 4], Tensor.Ones(3).ScatterReduce(0, Longs(0, 0, 2), src, "mean").ToArray<float>());
        var floor = Tensor.Zeros([2], DType.Int64).ScatterReduce(0, Longs(0, 0), Longs(-3, 0), "mean", includeSelf: false);
        Assert.Equal([-2L, 0], floor.ToArray<long>());
        var error = Assert.Throws<ArgumentException>(() => Grid().ScatterReduce(0, Longs2([0], 1, 1), Grid(), "max"));
        Assert.Contains("'max'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Advanced_index_puts_separated_index_dims_first()
    {
        var t = Tensor.Arange(24, DType.Float32).Reshape(2, 3, 4);
        var picked = t.Index(Longs(1, 0), null, Longs(2, 0));
        Assert.Equal([2L, 3], picked.Shape);
        Assert.Equal([14f, 18, 22, 0, 4, 8], picked.ToArray<float>());
        var adjacent = t.Index(null, Longs2([1, 0], 2, 1), Longs(2, 0, 3));
        Assert.Equal([2L, 2, 3], adjacent.Shape);
        Assert.Equal([6f, 4, 7, 2, 0, 3, 18, 16, 19, 14, 12, 15], adjacent.ToArray<float>());
    }

    [Fact]
    public void Tensor_indexer_reads_and_writes_through_masks_and_index_tensors()
    {
        var t = Grid();
        var mask = t.Gt(5.0);
        Assert.Equal([6f, 7, 8, 9, 10, 11], t[mask].ToArray<float>());
        Assert.Equal([3L, 2], t[null, Longs(1, 3)].Shape);
        t[mask] = Tensor.Scalar(-1.0);
        Assert.Equal([0f, 1, 2, 3, 4, 5, -1, -1, -1, -1, -1, -1], t.ToArray<float>());
        t[Longs(0)] = Tensor.FromArray([9L, 8, 7, 6]);
        Assert.Equal([9f, 8, 7, 6], t[0].ToArray<float>());
    }

    [Fact]
    public void Zero_dim_bool_mask_adds_a_dim_of_size_one_or_zero()
    {
        var t = Grid();
        Assert.Equal([1L, 3, 4], t.Index(Tensor.Scalar(true)).Shape);
        Assert.Equal([0L, 3, 4], t.Index(Tensor.Scalar(false)).Shape);
        Assert.Equal(Enumerable.Repeat(2f, 12), t.IndexPut([Tensor.Scalar(true)], Tensor.Scalar(2f)).ToArray<float>());
    }

    [Fact]
    public void In_place_ops_write_through_non_contiguous_views()
    {
        var baseTensor = Tensor.Zeros(4, 3);
        var view = baseTensor.T;
        Assert.False(view.IsContiguous);
        view.MaskedFill_(Tensor.FromArray([true, false, false, true]), 1.0);
        view.IndexPut_([Longs(2)], Tensor.Scalar(5f));
        view.Scatter_(0, Longs2([1, 1, 1, 1], 1, 4), 3L);
        view.IndexAdd_(1, Longs(2), Tensor.Ones(3, 1), alpha: 0.5);
        Assert.Equal([1f, 3, 5, 0, 3, 5, 0.5f, 3.5f, 5.5f, 1, 3, 5], baseTensor.ToArray<float>());
    }

    [Fact]
    public void Masked_fill_converts_and_checks_the_value()
    {
        var ints = Tensor.FromArray(new sbyte[] { 1, 2, 3 });
        var mask = Tensor.FromArray([true, false, true]);
        var error = Assert.Throws<ArgumentException>(() => ints.MaskedFill(mask, 300));
        Assert.Contains("masked_fill", error.Message, StringComparison.Ordinal);
        Assert.Contains("300", error.Message, StringComparison.Ordinal);
        Assert.Equal([(sbyte)-2, 2, -2], ints.MaskedFill(mask, -2.5).ToArray<sbyte>());
        Assert.Equal([(sbyte)4, 2, 4], ints.MaskedFill(mask, Tensor.Scalar(4.75)).ToArray<sbyte>());
        Assert.Throws<ArgumentException>(() => ints.MaskedFill(mask, Tensor.FromArray([1.0])));
        var grown = Tensor.Ones(4).MaskedFill(Tensor.FromArray([true, false], 2, 1), 0.0);
        Assert.Equal([2L, 4], grown.Shape);
        var inPlace = Assert.Throws<ArgumentException>(() => Tensor.Ones(4).MaskedFill_(Tensor.FromArray([true, false], 2, 1), 0.0));
        Assert.Contains("[2, 1]", inPlace.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedding_checks_padding_idx_and_one_hot_checks_its_input()
    {
        var weight = Grid(5, 2);
        Assert.Equal([6f, 7, 2, 3], F.Embedding(Longs(3, 1), weight, paddingIdx: -1).ToArray<float>());
        var padding = Assert.Throws<ArgumentException>(() => F.Embedding(Longs(0), weight, paddingIdx: 5));
        Assert.Contains("padding_idx 5", padding.Message, StringComparison.Ordinal);
        Assert.Equal([0L, 1, 0, 0, 0, 1], F.OneHot(Longs(1, 2)).ToArray<long>());
        Assert.Equal([0L, 4], F.OneHot(Tensor.Zeros([0], DType.Int64), 4).Shape);
        Assert.Throws<ArgumentException>(() => F.OneHot(Tensor.Zeros([0], DType.Int64)));
        Assert.Throws<ArgumentException>(() => F.OneHot(Tensor.FromArray([1, 2])));
    }

    [Fact]
    public void Data_dependent_sizes_are_typed_as_DataDependent()
    {
        const long D = TensorType.DataDependent;
        var matrix = new TensorType(DType.Float32, [2, 3, 4]);
        Assert.Equal([D, 3], IndexingOps.Nonzero.InferTypes([matrix], Attrs.Empty)[0].Shape);
        Assert.Equal([D], IndexingOps.MaskedSelect.InferTypes([matrix, new TensorType(DType.Bool, [4])], Attrs.Empty)[0].Shape);
        var masked = IndexingOps.Index.InferTypes([matrix, new TensorType(DType.Bool, [3, 4])], new Attrs { { "dims", new long[] { 1 } } });
        Assert.Equal([2L, D], masked[0].Shape);
        Assert.Equal([5L, D], IndexingOps.OneHot.InferTypes([new TensorType(DType.Int64, [5])], Attrs.Empty)[0].Shape);
    }

    [Fact]
    public void Large_gather_index_select_and_embedding_match_plain_loops()
    {
        var rng = new System.Random(1);
        int rows = 300, cols = 257, picks = 400;
        var data = Enumerable.Range(0, rows * cols).Select(_ => (float)rng.NextDouble()).ToArray();
        var x = Tensor.FromArray(data, rows, cols);
        var indices = Enumerable.Range(0, rows * picks).Select(_ => (long)rng.Next(cols)).ToArray();
        var gathered = x.Gather(1, Longs2(indices, rows, picks)).ToArray<float>();
        for (int i = 0; i < rows * picks; i++)
            Assert.Equal(data[i / picks * cols + indices[i]], gathered[i]);

        var rowPicks = Enumerable.Range(0, 500).Select(_ => (long)rng.Next(rows)).ToArray();
        var selected = x.IndexSelect(0, Tensor.FromArray(rowPicks)).ToArray<float>();
        var viaTranspose = x.T.Contiguous().T.IndexSelect(0, Tensor.FromArray(rowPicks)).ToArray<float>();
        var embedded = F.Embedding(Tensor.FromArray(rowPicks, 20, 25), x).ToArray<float>();
        for (int i = 0; i < rowPicks.Length; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                float expected = data[rowPicks[i] * cols + j];
                Assert.Equal(expected, selected[i * cols + j]);
                Assert.Equal(expected, viaTranspose[i * cols + j]);
                Assert.Equal(expected, embedded[i * cols + j]);
            }
        }
    }

    [Fact]
    public void Large_scatter_add_sums_each_position_in_index_order_on_every_core()
    {
        var rng = new System.Random(2);
        int rows = 64, size = 100, count = 2000;
        var src = Enumerable.Range(0, rows * count).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var index = Enumerable.Range(0, rows * count).Select(_ => (long)rng.Next(size)).ToArray();
        var expected = new float[rows * size];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < count; k++)
                expected[r * size + index[r * count + k]] += src[r * count + k];
        }
        var along1 = Tensor.Zeros(rows, size).ScatterAdd(1, Longs2(index, rows, count), Tensor.FromArray(src, rows, count));
        Assert.Equal(expected, along1.ToArray<float>());
        // The same sums along dim 0 of the transposed problem.
        var along0 = Tensor.Zeros(size, rows).ScatterAdd(0, Longs2(index, rows, count).T, Tensor.FromArray(src, rows, count).T);
        Assert.Equal(expected, along0.T.Contiguous().ToArray<float>());
    }

    [Fact]
    public void Large_masked_select_nonzero_and_masked_fill_match_plain_loops()
    {
        var rng = new System.Random(3);
        int rows = 300, cols = 301;
        var data = Enumerable.Range(0, rows * cols).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var x = Tensor.FromArray(data, rows, cols);
        var mask = x.Gt(0.0);
        Assert.Equal(data.Where(v => v > 0).ToArray(), x.MaskedSelect(mask).ToArray<float>());
        var coordinates = data.Select((v, i) => (v, i)).Where(p => p.v > 0).SelectMany(p => new long[] { p.i / cols, p.i % cols }).ToArray();
        Assert.Equal(coordinates, mask.Nonzero().ToArray<long>());
        Assert.Equal(data.Select(v => v > 0 ? 0f : v).ToArray(), x.MaskedFill(mask, 0.0).ToArray<float>());
        Assert.Equal(data.Select(v => v > 0 ? 0f : v).ToArray(), x.T.MaskedFill(mask.T, 0.0).T.Contiguous().ToArray<float>());
    }
}
