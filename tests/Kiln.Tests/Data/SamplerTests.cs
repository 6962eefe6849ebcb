using Kiln.Data;

namespace Kiln.Tests.Data;

public class SamplerTests
{
    [Fact]
    public void SequentialSampler_yields_the_indices_in_order()
    {
        var sampler = new SequentialSampler(4);
        Assert.Equal(4, sampler.Count);
        Assert.Equal([0L, 1, 2, 3], sampler);
    }

    [Fact]
    public void RandomSampler_yields_a_new_permutation_each_epoch_reproducibly()
    {
        var sampler = new RandomSampler(100, generator: new Generator(7));
        var first = sampler.ToArray();
        var second = sampler.ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), first.Order());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), second.Order());
        Assert.NotEqual(first, second);
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => (long)i), first);

        var again = new RandomSampler(100, generator: new Generator(7));
        Assert.Equal(first, again.ToArray());
        Assert.Equal(second, again.ToArray());
    }

    [Fact]
    public void RandomSampler_draws_its_epoch_when_the_enumeration_starts()
    {
        var generator = new Generator(5);
        var sampler = new RandomSampler(10, generator: generator);
        var before = generator.GetState();
        using var epoch = sampler.GetEnumerator();
        Assert.NotEqual(before, generator.GetState());
    }

    [Fact]
    public void RandomSampler_with_more_samples_than_the_data_set_chains_permutations()
    {
        var indices = new RandomSampler(4, numSamples: 10, generator: new Generator(1)).ToArray();
        Assert.Equal(10, indices.Length);
        Assert.Equal([0L, 1, 2, 3], indices[..4].Order());
        Assert.Equal([0L, 1, 2, 3], indices[4..8].Order());
        Assert.Equal(2, indices[8..].Distinct().Count());
    }

    [Fact]
    public void RandomSampler_with_replacement_draws_in_range_and_repeats()
    {
        var indices = new RandomSampler(3, replacement: true, numSamples: 60, generator: new Generator(2)).ToArray();
        Assert.Equal(60, indices.Length);
        Assert.All(indices, i => Assert.InRange(i, 0, 2));
        Assert.Equal(3, indices.Distinct().Count());
    }

    [Fact]
    public void Permutations_are_uniform_enough_that_every_position_sees_every_value()
    {
        var generator = new Generator(11);
        var seen = new bool[5, 5];
        for (int epoch = 0; epoch < 200; epoch++)
        {
            var p = RandomPermutation.Draw(5, generator);
            for (int i = 0; i < 5; i++) seen[i, p[i]] = true;
        }
        Assert.All(Enumerable.Range(0, 25), k => Assert.True(seen[k / 5, k % 5], $"value {k % 5} never at position {k / 5}"));
    }

    [Theory]
    [InlineData(10, 3, false, new[] { 3, 3, 3, 1 })]
    [InlineData(10, 3, true, new[] { 3, 3, 3 })]
    [InlineData(9, 3, true, new[] { 3, 3, 3 })]
    [InlineData(2, 3, true, new int[0])]
    [InlineData(2, 3, false, new[] { 2 })]
    public void BatchSampler_groups_indices_and_counts_batches(long count, int batchSize, bool dropLast, int[] sizes)
    {
        var batches = new BatchSampler(new SequentialSampler(count), batchSize, dropLast);
        Assert.Equal(sizes.Length, batches.Count);
        var all = batches.ToArray();
        Assert.Equal(sizes, all.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, sizes.Sum()).Select(i => (long)i), all.SelectMany(b => b));
    }

    [Fact]
    public void BatchSampler_rejects_a_non_positive_batch_size()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchSampler(new SequentialSampler(3), 0));
        Assert.Contains("got 0", e.Message, StringComparison.Ordinal);
    }
}
