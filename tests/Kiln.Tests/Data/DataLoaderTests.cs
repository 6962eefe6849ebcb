using Kiln.Data;

namespace Kiln.Tests.Data;

public class DataLoaderTests
{
    private static TensorDataset Digits(long count = 10) => new(
        Tensor.Arange(count * 4, dtype: DType.Float32).Reshape(count, 2, 2),
        Tensor.Arange(count));

    private static long[] Labels(IEnumerable<Tensor[]> batches) => batches.SelectMany(b => b[1].ToArray<long>()).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Batches_stack_samples_along_a_new_first_dim_in_order(int prefetchFactor)
    {
        var loader = DataLoader.Create(Digits(), batchSize: 4, prefetchFactor: prefetchFactor);
        Assert.Equal(3, loader.Count);
        var batches = loader.ToList();
        Assert.Equal([[4L, 2, 2], [4L, 2, 2], [2L, 2, 2]], batches.Select(b => b[0].Shape));
        Assert.Equal([8L, 9], batches[2][1].ToArray<long>());
        Assert.Equal(Enumerable.Range(32, 8).Select(i => (float)i), batches[2][0].ToArray<float>());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Labels(batches));
    }

    [Fact]
    public void Foreach_deconstructs_the_batches_of_a_two_tensor_data_set()
    {
        long seen = 0;
        foreach (var (x, y) in DataLoader.Create(Digits(), batchSize: 3))
        {
            Assert.Equal(x.Size(0), y.Size(0));
            seen += y.Size(0);
        }
        Assert.Equal(10, seen);
        Assert.Throws<ArgumentException>(() =>
        {
            var (a, b, c) = new[] { Tensor.Zeros(1), Tensor.Zeros(1) };
        });
    }

    [Theory]
    [InlineData(10, 4, false, 3, 10)]
    [InlineData(10, 4, true, 2, 8)]
    [InlineData(8, 4, true, 2, 8)]
    [InlineData(3, 4, true, 0, 0)]
    public void DropLast_drops_only_a_short_last_batch(long count, int batchSize, bool dropLast, long batches, long samples)
    {
        var loader = DataLoader.Create(Digits(count), batchSize: batchSize, dropLast: dropLast, shuffle: true, generator: new Generator(0));
        Assert.Equal(batches, loader.Count);
        var all = loader.ToList();
        Assert.Equal(batches, all.Count);
        Assert.Equal(samples, Labels(all).Length);
        if (dropLast) Assert.All(all, b => Assert.Equal(batchSize, b[1].Size(0)));
    }

    [Fact]
    public void Shuffle_is_reproducible_for_a_seed_and_differs_between_epochs()
    {
        var a = DataLoader.Create(Digits(64), batchSize: 8, shuffle: true, generator: new Generator(42));
        var b = DataLoader.Create(Digits(64), batchSize: 8, shuffle: true, generator: new Generator(42));
        var epoch1 = Labels(a);
        var epoch2 = Labels(a);
        Assert.Equal(epoch1, Labels(b));
        Assert.Equal(epoch2, Labels(b));
        Assert.NotEqual(epoch1, epoch2);
        Assert.NotEqual(Enumerable.Range(0, 64).Select(i => (long)i), epoch1);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (long)i), epoch1.Order());
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (long)i), epoch2.Order());
    }

    [Fact]
    public void Shuffle_without_a_generator_follows_the_default_seed()
    {
        // Another test may draw from the default generator at the same time; retry until two runs are undisturbed.
        bool same = false;
        for (int attempt = 0; attempt < 20 && !same; attempt++)
        {
            Kiln.Random.ManualSeed(123);
            var first = Labels(DataLoader.Create(Digits(32), batchSize: 5, shuffle: true, prefetchFactor: 0));
            Kiln.Random.ManualSeed(123);
            var again = Labels(DataLoader.Create(Digits(32), batchSize: 5, shuffle: true, prefetchFactor: 0));
            same = first.SequenceEqual(again) && !first.SequenceEqual(first.Order());
        }
        Assert.True(same);
    }

    [Fact]
    public void The_gathered_TensorDataset_batches_equal_stacked_samples()
    {
        var dataset = Digits(12);
        var fast = DataLoader.Create(dataset, batchSize: 5, shuffle: true, generator: new Generator(9)).ToList();
        var stacked = DataLoader.Create(dataset, Collate.Stack, batchSize: 5, shuffle: true, generator: new Generator(9)).ToList();
        Assert.Equal(stacked.Count, fast.Count);
        for (int i = 0; i < fast.Count; i++)
        {
            for (int k = 0; k < 2; k++)
            {
                Assert.Equal(stacked[i][k].Shape, fast[i][k].Shape);
                Assert.Equal(stacked[i][k].DType, fast[i][k].DType);
                Assert.Equal(stacked[i][k].To(DType.Float64).ToArray<double>(), fast[i][k].To(DType.Float64).ToArray<double>());
            }
        }
    }

    [Fact]
    public void Subsets_of_a_TensorDataset_are_gathered_and_equal_stacked_samples()
    {
        var train = Dataset.RandomSplit(Digits(20), [0.75, 0.25], new Generator(4))[0];
        Assert.NotNull(TensorDataset.RowGatherer(train));
        Assert.NotNull(TensorDataset.RowGatherer(new Subset<Tensor[]>(train, [3, 1])));
        var fast = DataLoader.Create(train, batchSize: 4).ToList();
        var stacked = DataLoader.Create(train, Collate.Stack, batchSize: 4).ToList();
        Assert.Equal(stacked.Select(b => b[1].ToArray<long>()), fast.Select(b => b[1].ToArray<long>()));
        Assert.Equal(stacked.Select(b => b[0].ToArray<float>()), fast.Select(b => b[0].ToArray<float>()));
        Assert.Equal(train.Indices, Labels(fast));
        Assert.Null(TensorDataset.RowGatherer(new ConcatDataset<Tensor[]>([train])));
    }

    [Fact]
    public void Gathered_batches_are_copies_not_views_of_the_data_set()
    {
        var dataset = Digits(4);
        var (x, _) = DataLoader.Create(dataset, batchSize: 4).First();
        Assert.False(x.SharesStorageWith(dataset.Tensors[0]));
    }

    [Fact]
    public void Gathering_a_batch_allocates_the_batch_and_little_else()
    {
        var dataset = new TensorDataset(Tensor.Rand(1000, 784), Tensor.Randint(0, 10, 1000));
        var indices = Enumerable.Range(0, 64).Select(i => (long)(i * 13 % 1000)).ToArray();
        dataset.GatherRows(indices);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var batch = dataset.GatherRows(indices);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long payload = 64 * 784 * 4 + 64 * 8;
        Assert.Equal([64L, 784], batch[0].Shape);
        Assert.True(allocated < payload + 4096, $"gathering allocated {allocated} bytes for a {payload}-byte batch");
    }

    [Fact]
    public void Default_collate_stacks_tensors_and_pairs()
    {
        var single = new ListDataset<Tensor>([Tensor.Zeros(3), Tensor.Ones(3), Tensor.Full([3], 2.0)]);
        var batch = DataLoader.Create(single, batchSize: 2).First();
        Assert.Equal([2L, 3], batch.Shape);
        Assert.Equal([0f, 0, 0, 1, 1, 1], batch.ToArray<float>());

        var pairs = new ListDataset<(Tensor, Tensor)>([(Tensor.Zeros(2, 2), Tensor.Scalar(1L)), (Tensor.Ones(2, 2), Tensor.Scalar(0L))]);
        var (x, y) = DataLoader.Create(pairs, batchSize: 2).Single();
        Assert.Equal([2L, 2, 2], x.Shape);
        Assert.Equal([1L, 0], y.ToArray<long>());
    }

    [Fact]
    public void A_custom_collate_sees_the_samples_of_each_batch_in_order()
    {
        var loader = DataLoader.Create(new DatasetTests.RangeDataset(7), samples => samples.Sum(), batchSize: 3);
        Assert.Equal([0L + 1 + 2, 3 + 4 + 5, 6], loader);
    }

    [Fact]
    public void Samples_without_a_default_collate_are_refused_with_advice()
    {
        var e = Assert.Throws<NotSupportedException>(() => DataLoader.Create(new DatasetTests.RangeDataset(3)));
        Assert.Contains("pass a collate function", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collate_rejects_samples_of_different_widths()
    {
        var e = Assert.Throws<ArgumentException>(() => Collate.Stack(new[] { new[] { Tensor.Zeros(1) }, new[] { Tensor.Zeros(1), Tensor.Zeros(1) } }));
        Assert.Contains("sample 1 holds 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sampler_and_shuffle_together_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DataLoader.Create(Digits(), shuffle: true, sampler: new SequentialSampler(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataLoader.Create(Digits(), batchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataLoader.Create(Digits(), prefetchFactor: -1));
    }

    [Fact]
    public void A_batch_sampler_decides_the_batches()
    {
        var batches = new BatchSampler(new SequentialSampler(6), 2);
        var loader = new DataLoader<Tensor[], Tensor[]>(Digits(6), batches, Collate.Stack);
        Assert.Equal(3, loader.Count);
        Assert.Equal([0L, 1, 2, 3, 4, 5], Labels(loader));
    }

    [Fact]
    public void Prefetching_loads_on_another_thread_and_inline_loading_on_the_callers()
    {
        int caller = Environment.CurrentManagedThreadId;
        var threads = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var dataset = new ProbeDataset(6, _ => threads.Enqueue(Environment.CurrentManagedThreadId));
        _ = DataLoader.Create(dataset, s => s.Count, batchSize: 2, prefetchFactor: 0).ToList();
        Assert.All(threads, t => Assert.Equal(caller, t));
        Assert.Equal(6, threads.Count);
        threads.Clear();
        _ = DataLoader.Create(dataset, s => s.Count, batchSize: 2, prefetchFactor: 2).ToList();
        Assert.All(threads, t => Assert.NotEqual(caller, t));
        Assert.Equal(6, threads.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void An_exception_in_the_data_set_reaches_the_consumer_after_the_earlier_batches(int prefetchFactor)
    {
        var dataset = new ProbeDataset(10, i =>
        {
            if (i == 5) throw new InvalidOperationException("sample 5 is corrupt");
        });
        var received = new List<long>();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var batch in DataLoader.Create(dataset, s => s.ToArray(), batchSize: 2, prefetchFactor: prefetchFactor))
                received.AddRange(batch);
        });
        Assert.Equal("sample 5 is corrupt", e.Message);
        Assert.Equal([0L, 1, 2, 3], received);
    }

    [Fact]
    public void An_exception_in_the_collate_reaches_the_consumer_with_its_type()
    {
        var loader = DataLoader.Create<long, long>(new DatasetTests.RangeDataset(4), _ => throw new FormatException("bad batch"), batchSize: 2);
        var e = Assert.Throws<FormatException>(() => loader.ToList());
        Assert.Equal("bad batch", e.Message);
    }

    [Fact]
    public async Task Abandoning_an_epoch_stops_the_producer_without_hanging()
    {
        int fetched = 0;
        var dataset = new ProbeDataset(1000, _ => Interlocked.Increment(ref fetched));
        var loader = DataLoader.Create(dataset, s => s.Count, batchSize: 1, prefetchFactor: 2);
        var epoch = (PrefetchingEnumerator<int>)loader.GetEnumerator();
        Assert.True(epoch.MoveNext());
        // WaitAsync throws a TimeoutException if Dispose hangs.
        await Task.Run(epoch.Dispose).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(epoch.Producer.IsCompleted);
        int after = Volatile.Read(ref fetched);
        Assert.InRange(after, 1, 1 + 2 + 2);
        await Task.Delay(50);
        Assert.Equal(after, Volatile.Read(ref fetched));
    }

    [Fact]
    public void Breaking_out_of_foreach_disposes_the_epoch()
    {
        int fetched = 0;
        var dataset = new ProbeDataset(1000, _ => Interlocked.Increment(ref fetched));
        foreach (var size in DataLoader.Create(dataset, s => s.Count, batchSize: 10))
        {
            Assert.Equal(10, size);
            break;
        }
        int after = Volatile.Read(ref fetched);
        Thread.Sleep(50);
        Assert.Equal(after, Volatile.Read(ref fetched));
        Assert.True(after < 100, $"{after} samples were fetched for one batch of 10");
    }

    [Fact]
    public void A_slow_consumer_holds_at_most_prefetch_factor_batches_in_waiting()
    {
        int fetched = 0;
        var dataset = new ProbeDataset(100, _ => Interlocked.Increment(ref fetched));
        using var epoch = DataLoader.Create(dataset, s => s.Count, batchSize: 1, prefetchFactor: 3).GetEnumerator();
        Assert.True(epoch.MoveNext());
        // One batch taken, three waiting in the channel, and at most one more fetched while the producer waits to write it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Volatile.Read(ref fetched) < 4 && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Thread.Sleep(50);
        Assert.InRange(Volatile.Read(ref fetched), 4, 5);
    }

    /// <summary>A data set over a list.</summary>
    private sealed class ListDataset<T>(IReadOnlyList<T> items) : Dataset<T>
    {
        public override long Count => items.Count;

        public override T this[long index] => items[(int)index];
    }

    /// <summary>Sample i is i; each fetch runs a probe first (to count, record threads or throw).</summary>
    private sealed class ProbeDataset(long count, Action<long> probe) : Dataset<long>
    {
        public override long Count => count;

        public override long this[long index]
        {
            get
            {
                probe(index);
                return index;
            }
        }
    }
}
