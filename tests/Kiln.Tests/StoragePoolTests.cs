using System.Runtime.CompilerServices;
using Kiln.Memory;

namespace Kiln.Tests;

/// <summary>
/// The caching allocator behind CPU storage: large buffers come back once unreachable and are handed out again, zeroed
/// where asked, never to two owners at once, and the pool keeps no more than its cap. Each test but the last uses a pool
/// of its own, so tests running alongside cannot take its buffers.
/// </summary>
public class StoragePoolTests
{
    private const int Length = 200_000;

    [Fact]
    public void A_dead_buffer_is_handed_out_again_cycle_after_cycle()
    {
        var pool = new CpuBufferPool(maxBytes: 64 << 20, minBytes: 100_000, collectionBudget: 0);
        var buffer = RentAndDrop(pool, Length, fill: 0x5A);
        for (int cycle = 0; cycle < 3; cycle++)
        {
            CollectAndFinalize();
            Assert.Equal(Length, pool.FreeBytes);
            buffer = RentSameAndDrop(pool, buffer);
            Assert.Equal(0, pool.FreeBytes);
            Assert.Equal(cycle + 1, pool.Hits);
        }
        Assert.Equal(1, pool.Misses);
    }

    // Rents the buffer that went back to the pool and checks that it is the dead one, contents and all.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RentSameAndDrop(CpuBufferPool pool, WeakReference dead)
    {
        byte[] again = pool.Rent(Length, zeroed: false);
        Assert.Same(dead.Target, again);
        Assert.Equal(0x5A, again[Length - 1]);
        return new WeakReference(again, trackResurrection: true);
    }

    [Fact]
    public void A_reused_buffer_rented_zeroed_is_all_zero()
    {
        var pool = new CpuBufferPool(maxBytes: 64 << 20, minBytes: 100_000, collectionBudget: 0);
        var dead = RentAndDrop(pool, Length, fill: 0xFF);
        CollectAndFinalize();
        byte[] zeroed = pool.Rent(Length, zeroed: true);
        Assert.Same(dead.Target, zeroed);
        Assert.Equal(-1, zeroed.AsSpan().IndexOfAnyExcept((byte)0));
    }

    [Fact]
    public void Live_buffers_are_never_handed_out_twice()
    {
        var pool = new CpuBufferPool(maxBytes: 64 << 20, minBytes: 100_000, collectionBudget: 0);
        var live = new List<byte[]>();
        for (int round = 0; round < 4; round++)
        {
            // Half of each round's buffers stay referenced, half die; the dead ones are reused in the next round.
            for (int i = 0; i < 4; i++)
            {
                live.Add(pool.Rent(Length, zeroed: false));
                RentAndDrop(pool, Length, fill: 0);
            }
            CollectAndFinalize();
        }
        Assert.True(pool.Hits > 0, "no buffer was reused");
        Assert.Equal(live.Count, live.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(4, pool.FreeBytes / Length);
        var handedOut = Enumerable.Range(0, 4).Select(_ => pool.Rent(Length, zeroed: false)).ToList();
        Assert.DoesNotContain(handedOut, buffer => live.Contains(buffer, ReferenceEqualityComparer.Instance));
        GC.KeepAlive(live);
    }

    [Fact]
    public void Free_buffers_stay_under_the_cap_and_trim_empties_the_pool()
    {
        var pool = new CpuBufferPool(maxBytes: 3L * Length, minBytes: 100_000, collectionBudget: 0);
        for (int i = 0; i < 6; i++) RentAndDrop(pool, Length, fill: 0);
        CollectAndFinalize();
        Assert.Equal(3L * Length, pool.FreeBytes);
        for (int i = 0; i < 6; i++) _ = pool.Rent(Length, zeroed: false);
        Assert.Equal(3, pool.Hits);
        Assert.Equal(9, pool.Misses);

        for (int i = 0; i < 2; i++) RentAndDrop(pool, Length, fill: 0);
        CollectAndFinalize();
        Assert.True(pool.FreeBytes > 0);
        pool.Trim(everything: true);
        Assert.Equal(0, pool.FreeBytes);
    }

    [Fact]
    public void Requests_below_the_minimum_or_with_pooling_off_are_plain_arrays()
    {
        var pool = new CpuBufferPool(maxBytes: 64 << 20, minBytes: 100_000, collectionBudget: 0);
        var small = RentAndDrop(pool, 99_999, fill: 0);
        var off = new CpuBufferPool(maxBytes: 0, minBytes: 100_000, collectionBudget: 0);
        var unpooled = RentAndDrop(off, Length, fill: 0);
        CollectAndFinalize();
        Assert.Equal(0, pool.FreeBytes + off.FreeBytes);
        Assert.Equal(0, pool.Misses + off.Misses);
        Assert.Null(small.Target);
        Assert.Null(unpooled.Target);
    }

    [Fact]
    public void The_collection_budget_grows_while_fresh_buffers_stay_alive()
    {
        var pool = new CpuBufferPool(maxBytes: 64 << 20, minBytes: 100_000, collectionBudget: 1 << 20);
        var live = new List<byte[]>();
        // Nothing comes back, so each request for a collection doubles the budget (a full collection running
        // meanwhile restarts the count, so allow for many rounds).
        for (int i = 0; i < 1000 && pool.CollectionBudget < 4 << 20; i++)
            live.Add(pool.Rent(Length, zeroed: false));
        Assert.True(pool.CollectionBudget >= 4 << 20, $"budget {pool.CollectionBudget} after {live.Count} live buffers");
        Assert.True(pool.CollectionBudget <= 64 << 20);
    }

    [Fact]
    public void Large_tensors_made_while_others_die_never_share_storage_and_zeros_are_zero()
    {
        long[] shape = [300, 100]; // 120,000 bytes of float32: pooled
        var live = new List<Tensor>();
        for (int round = 0; round < 4; round++)
        {
            live.Add(Tensor.Full(shape, round + 1.0));
            DropFullTensor(shape, 7.0);
            CollectAndFinalize();
            var zeros = Tensor.Zeros(shape);
            Assert.All(zeros.ToArray<float>(), v => Assert.Equal(0f, v));
            live.Add(zeros);
        }
        for (int i = 0; i < live.Count; i++)
        {
            for (int j = i + 1; j < live.Count; j++)
                Assert.False(live[i].SharesStorageWith(live[j]), $"tensors {i} and {j} share storage");
        }
        for (int round = 0; round < 4; round++)
            Assert.All(live[2 * round].ToArray<float>(), v => Assert.Equal(round + 1f, v));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RentAndDrop(CpuBufferPool pool, int length, byte fill)
    {
        byte[] bytes = pool.Rent(length, zeroed: false);
        bytes.AsSpan().Fill(fill);
        // Long weak: it still finds the buffer after its tracker's finalizer brought it back.
        return new WeakReference(bytes, trackResurrection: true);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropFullTensor(long[] shape, double value) => _ = Tensor.Full(shape, value);

    private static void CollectAndFinalize()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
