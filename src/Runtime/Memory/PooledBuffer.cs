using System.Runtime;

namespace Kiln.Memory;

/// <summary>
/// The tracker of one large buffer of a <see cref="CpuBufferPool"/>. A dependent handle keeps the tracker alive exactly as
/// long as its buffer is reachable, so the tracker's finalizer runs once nothing references the buffer any more — no
/// storage, span or pinning <c>fixed</c> block — and hands the buffer back to the pool. Tracking the buffer rather than
/// the <see cref="Storage"/> is what makes this safe: kernels keep raw pointers into a buffer while the storage that
/// owned it may already be unreachable.
/// </summary>
internal sealed class PooledBuffer
{
    private readonly CpuBufferPool pool;
    private DependentHandle link;

    private PooledBuffer(byte[] bytes, CpuBufferPool pool)
    {
        Bytes = bytes;
        this.pool = pool;
        link = new DependentHandle(bytes, this);
    }

    /// <summary>The buffer.</summary>
    internal byte[] Bytes { get; }

    /// <summary>When the buffer last went back to the pool (<see cref="Environment.TickCount64"/>).</summary>
    internal long ReturnedAt { get; set; }

    /// <summary>Starts tracking <paramref name="bytes"/>, a buffer just allocated for <paramref name="pool"/>.</summary>
    internal static void Track(byte[] bytes, CpuBufferPool pool) => _ = new PooledBuffer(bytes, pool);

    /// <summary>Hands the buffer out again: its next death finalizes this tracker again.</summary>
    internal void Reuse() => GC.ReRegisterForFinalize(this);

    /// <summary>Stops tracking the buffer, which the pool dropped: the garbage collector frees both.</summary>
    internal void Release() => link.Dispose();

    /// <summary>The buffer became unreachable: back to the pool, or released when the pool is full.</summary>
    ~PooledBuffer()
    {
        if (!pool.TryReturn(this)) Release();
    }
}
