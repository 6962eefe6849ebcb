using Kiln.Data;

namespace Kiln.Tests.Data;

public class DatasetTests
{
    private static Tensor Rows(long rows, long cols) => Tensor.Arange(rows * cols, dtype: DType.Float32).Reshape(rows, cols);

    [Fact]
    public void TensorDataset_samples_are_the_rows_of_each_tensor()
    {
        var x = Rows(5, 3);
        var y = Tensor.FromArray(new long[] { 10, 11, 12, 13, 14 });
        var dataset = new TensorDataset(x, y);

        Assert.Equal(5, dataset.Count);
        var (row, label) = dataset[3];
        Assert.Equal([3L], row.Shape);
        Assert.Equal([9f, 10f, 11f], row.ToArray<float>());
        Assert.Empty(label.Shape);
        Assert.Equal(13, label.Item<long>());
    }

    [Fact]
    public void TensorDataset_rejects_tensors_of_different_first_dims_naming_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(Rows(5, 3), Tensor.Zeros(4)));
        Assert.Contains("[5, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorDataset_rejects_no_tensors_and_0d_tensors()
    {
        Assert.Throws<ArgumentException>(() => new TensorDataset());
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Scalar(1f)));
        Assert.Contains("0-d", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(5L)]
    public void Indexing_outside_the_data_set_throws_with_the_index_and_size(long index)
    {
        var dataset = new TensorDataset(Rows(5, 3));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => dataset[index]);
        Assert.Contains($"index {index}", e.Message, StringComparison.Ordinal);
        Assert.Contains("5 samples", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subset_maps_positions_through_its_indices()
    {
        var dataset = new RangeDataset(10);
        var subset = new Subset<long>(dataset, [7, 2, 2, 9]);
        Assert.Equal(4, subset.Count);
        Assert.Equal([7L, 2, 2, 9], Enumerable.Range(0, 4).Select(i => subset[i]));
        Assert.Throws<ArgumentOutOfRangeException>(() => subset[4]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Subset<long>(dataset, [1, 10]));
        Assert.Contains("index 10 (position 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConcatDataset_chains_data_sets_and_skips_empty_ones()
    {
        var concat = new ConcatDataset<long>([new RangeDataset(3, 0), new RangeDataset(0, 100), new RangeDataset(2, 10), new RangeDataset(1, 20)]);
        Assert.Equal(6, concat.Count);
        Assert.Equal([0L, 1, 2, 10, 11, 20], Enumerable.Range(0, 6).Select(i => concat[i]));
        Assert.Throws<ArgumentOutOfRangeException>(() => concat[6]);
    }

    [Fact]
    public void RandomSplit_by_lengths_partitions_the_samples()
    {
        var dataset = new RangeDataset(10);
        var parts = Dataset.RandomSplit(dataset, [3L, 7L], new Generator(1));
        Assert.Equal([3L, 7L], parts.Select(p => p.Count));
        var all = parts.SelectMany(p => Enumerable.Range(0, (int)p.Count).Select(i => p[i])).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), all);
        Assert.NotEqual(Enumerable.Range(0, 3).Select(i => (long)i), parts[0].Indices);
    }

    [Fact]
    public void RandomSplit_is_reproducible_for_a_seed_and_differs_between_seeds()
    {
        var dataset = new RangeDataset(50);
        var a = Dataset.RandomSplit(dataset, [25L, 25L], new Generator(3));
        var b = Dataset.RandomSplit(dataset, [25L, 25L], new Generator(3));
        var c = Dataset.RandomSplit(dataset, [25L, 25L], new Generator(4));
        Assert.Equal(a[0].Indices, b[0].Indices);
        Assert.NotEqual(a[0].Indices, c[0].Indices);
    }

    [Theory]
    [InlineData(10L, new[] { 0.5, 0.5 }, new[] { 5L, 5L })]
    [InlineData(10L, new[] { 0.33, 0.33, 0.34 }, new[] { 4L, 3L, 3L })]
    [InlineData(11L, new[] { 0.7, 0.2, 0.1 }, new[] { 8L, 2L, 1L })]
    [InlineData(3L, new[] { 0.1, 0.1, 0.8 }, new[] { 1L, 0L, 2L })]
    public void RandomSplit_fractions_round_down_and_hand_out_the_remainder_round_robin(long count, double[] fractions, long[] expected)
    {
        // Expected lengths are torch.utils.data.random_split's for the same count and fractions.
        Assert.Equal(expected, Dataset.SplitLengths(count, fractions));
        Assert.Equal(expected, Dataset.RandomSplit(new RangeDataset(count), fractions, new Generator(0)).Select(p => p.Count));
    }

    [Fact]
    public void RandomSplit_rejects_lengths_that_do_not_add_up_and_bad_fractions()
    {
        var dataset = new RangeDataset(10);
        var e = Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(dataset, [3L, 6L]));
        Assert.Contains("add up to 9", e.Message, StringComparison.Ordinal);
        Assert.Contains("10 samples", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(dataset, [0.5, 0.4]));
        Assert.Contains("add up to 0.9", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(dataset, [1.5, -0.5]));
        Assert.Contains("index 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(dataset, [-1L, 11L]));
    }

    /// <summary>Sample i is start + i.</summary>
    internal sealed class RangeDataset(long count, long start = 0) : Dataset<long>
    {
        public override long Count => count;

        public override long this[long index]
        {
            get
            {
                CheckIndex(index);
                return start + index;
            }
        }
    }
}
