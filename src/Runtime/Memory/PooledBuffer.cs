using System.Runtime;

namespace Kiln.Memory;

/// <summary>
/// The tracker of one large buffer of a <see cref="CpuBufferPool"/>. A dependent handle keeps the tracker alive exactly as
/// long as its buffer is reachable, so the tracker's finalizer runs once nothing references the buffer any more — no
/// storage, span or pinning <c>fixed</c> block — and hands the buffer back to the pool. Tracking the buffer rather than
/// the <see cref="Storage"/> is what makes this safe: kernels keep raw pointers into a buffer while the storage that
/// owned it may already be unreachable.
/// <para>
/// An owner that knows nothing reads the buffer any more may also hand it back at once (<see cref="CpuBufferPool.Return"/>),
/// naming the <see cref="Lease"/> it was handed out under, so a stale or second return does nothing. The buffer stays
/// registered for finalization all along (a returned buffer is reachable from the pool, so its tracker is not finalized);
/// <see cref="Registered"/> says whether it is, so it is registered again only after a finalizer run and never twice.
/// </para>
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

    /// <summary>Counts the times the buffer was handed out; an explicit return names the lease it ends. Guarded by the pool.</summary>
    internal int Lease { get; private set; }

    /// <summary>Whether the buffer sits in the pool's free list. Guarded by the pool.</summary>
    internal bool IsFree { get; set; }

    /// <summary>Whether the finalizer is due to run when the buffer dies (false once it ran, until <see cref="Reuse"/>).</summary>
    private bool Registered { get; set; } = true;

    /// <summary>Whether the pool dropped the buffer for good.</summary>
    private bool Released { get; set; }

    /// <summary>The pool that owns the buffer.</summary>
    internal CpuBufferPool Pool => pool;

    /// <summary>Starts tracking <paramref name="bytes"/>, a buffer just allocated for <paramref name="pool"/>.</summary>
    internal static PooledBuffer Track(byte[] bytes, CpuBufferPool pool) => new(bytes, pool);

    /// <summary>
    /// Hands the buffer out again (under the pool's lock): a new lease, and its next death finalizes this tracker again —
    /// registered anew only when the finalizer already ran, since a buffer returned explicitly is still registered.
    /// </summary>
    internal void Reuse()
    {
        Lease++;
        IsFree = false;
        if (Registered) return;
        Registered = true;
        GC.ReRegisterForFinalize(this);
    }

    /// <summary>Stops tracking the buffer, which the pool dropped: the garbage collector frees both, with no finalizer run.</summary>
    internal void Release()
    {
        Released = true;
        IsFree = false;
        GC.SuppressFinalize(this);
        link.Dispose();
    }

    /// <summary>The buffer became unreachable: back to the pool, or released when the pool is full.</summary>
    ~PooledBuffer()
    {
        Registered = false;
        if (Released) return;
        if (!pool.TryReturn(this)) Release();
    }
}
