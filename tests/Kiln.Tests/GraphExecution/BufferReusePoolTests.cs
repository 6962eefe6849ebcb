using System.Runtime.CompilerServices;
using Kiln.Memory;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// Explicit returns to the buffer pool (what the executor does after a value's last use): the buffer is handed out again
/// at once, a second or stale return changes nothing, and the finalizer never returns a buffer that is already back, so no
/// buffer ever has two owners. Each test uses a pool of its own, or a size no other test uses.
/// </summary>
public sealed class BufferReusePoolTests
{
    private const int Length = 200_000;

    private static CpuBufferPool NewPool(long maxBytes = 64 << 20) => new(maxBytes, minBytes: 100_000, collectionBudget: 0);

    [Fact]
    public void A_returned_buffer_is_the_next_one_of_its_size()
    {
        var pool = NewPool();
        var (bytes, tracker, lease) = pool.RentTracked(Length, zeroed: false);
        Assert.True(pool.Return(tracker!, lease));
        Assert.Equal(Length, pool.FreeBytes);
        Assert.True(pool.IsFree(bytes));
        Assert.Same(bytes, pool.Rent(Length, zeroed: false));
        Assert.Equal(0, pool.FreeBytes);
        Assert.Equal(1, pool.Returns);
    }

    [Fact]
    public void A_second_return_of_the_same_lease_changes_nothing()
    {
        var pool = NewPool();
        var (bytes, tracker, lease) = pool.RentTracked(Length, zeroed: false);
        Assert.True(pool.Return(tracker!, lease));
        Assert.False(pool.Return(tracker!, lease));
        Assert.Equal(Length, pool.FreeBytes);
        var first = pool.Rent(Length, zeroed: false);
        var second = pool.Rent(Length, zeroed: false);
        Assert.Same(bytes, first);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void A_stale_return_does_not_take_the_buffer_from_its_next_owner()
    {
        var pool = NewPool();
        var (bytes, tracker, lease) = pool.RentTracked(Length, zeroed: false);
        Assert.True(pool.Return(tracker!, lease));
        var (again, sameTracker, nextLease) = pool.RentTracked(Length, zeroed: false);
        Assert.Same(bytes, again);
        Assert.Same(tracker, sameTracker);
        Assert.NotEqual(lease, nextLease);
        Assert.False(pool.Return(tracker!, lease));
        Assert.False(pool.IsFree(bytes));
        Assert.Equal(0, pool.FreeBytes);
    }

    [Fact]
    public void The_finalizer_does_not_return_a_buffer_returned_already()
    {
        var pool = NewPool();
        var weak = RentReturnAndDrop(pool);
        CollectAndFinalize();
        // Still in the pool (it holds the buffer), once.
        Assert.True(weak.IsAlive);
        Assert.Equal(Length, pool.FreeBytes);
        var first = pool.Rent(Length, zeroed: false);
        var second = pool.Rent(Length, zeroed: false);
        Assert.Same(weak.Target, first);
        Assert.NotSame(first, second);
        GC.KeepAlive(first);
    }

    [Fact]
    public void A_returned_then_reused_buffer_comes_back_once_when_it_dies()
    {
        var pool = NewPool();
        var weak = RentReturnRentAgainAndDrop(pool);
        for (int round = 0; round < 2; round++)
        {
            CollectAndFinalize();
            Assert.Equal(Length, pool.FreeBytes);
        }
        var first = pool.Rent(Length, zeroed: false);
        var second = pool.Rent(Length, zeroed: false);
        Assert.Same(weak.Target, first);
        Assert.NotSame(first, second);
        GC.KeepAlive(first);
    }

    [Fact]
    public void A_return_to_a_full_pool_is_refused_and_the_collector_returns_the_buffer_later()
    {
        var pool = NewPool(maxBytes: Length);
        var weak = ReturnTwoToARoomForOneAndDropThem(pool, out var first);
        Assert.Same(first, pool.Rent(Length, zeroed: false));
        Assert.Equal(0, pool.FreeBytes);
        CollectAndFinalize();
        Assert.Equal(Length, pool.FreeBytes);
        Assert.Same(weak.Target, pool.Rent(Length, zeroed: false));
        GC.KeepAlive(first);
    }

    [Fact]
    public void A_storage_returns_its_buffer_once()
    {
        // An odd element count: no other test rents this size from the shared pool.
        var storage = Storage.Allocate(DType.Float32, 31_013);
        Assert.True(storage.IsReturnable);
        bool returned = storage.ReturnBuffer();
        Assert.False(storage.IsReturnable);
        Assert.False(storage.ReturnBuffer());
        Assert.Equal(returned, CpuBufferPool.Shared.IsFree(storage.Bytes));
        Assert.False(Storage.Allocate(DType.Float32, 10).IsReturnable);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RentReturnAndDrop(CpuBufferPool pool)
    {
        var (bytes, tracker, lease) = pool.RentTracked(Length, zeroed: false);
        Assert.True(pool.Return(tracker!, lease));
        return new WeakReference(bytes, trackResurrection: true);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RentReturnRentAgainAndDrop(CpuBufferPool pool)
    {
        var (bytes, tracker, lease) = pool.RentTracked(Length, zeroed: false);
        Assert.True(pool.Return(tracker!, lease));
        Assert.Same(bytes, pool.Rent(Length, zeroed: false));
        return new WeakReference(bytes, trackResurrection: true);
    }

    // Returns two buffers to a pool with room for one: the second is refused and stays registered for the collector.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ReturnTwoToARoomForOneAndDropThem(CpuBufferPool pool, out byte[] first)
    {
        var (a, trackerA, leaseA) = pool.RentTracked(Length, zeroed: false);
        var (b, trackerB, leaseB) = pool.RentTracked(Length, zeroed: false);
        Assert.True(pool.Return(trackerA!, leaseA));
        Assert.False(pool.Return(trackerB!, leaseB));
        Assert.False(pool.IsFree(b));
        first = a;
        return new WeakReference(b, trackResurrection: true);
    }

    private static void CollectAndFinalize()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
