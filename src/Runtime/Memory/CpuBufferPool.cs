namespace Kiln.Memory;

/// <summary>
/// A caching allocator for the large byte arrays behind CPU tensors (PyTorch's CPU caching allocator, in the garbage
/// collector's terms). Arrays of at least <see cref="MinBytes"/> bytes live on the large object heap, whose freed
/// memory the runtime hands back to the OS, so a fresh one costs a page fault per 4 KiB on first touch — more than
/// a small convolution itself. Instead, each such array is tracked (<see cref="PooledBuffer"/>): once it is
/// unreachable the collector finalizes its tracker, which returns it here, and the next request for the same number
/// of bytes reuses its warm pages.
/// <para>
/// Buffers come back only when a full collection finds them dead. Since they come back instead of being freed, the
/// runtime sees the large object heap survive and lets hundreds of megabytes of fresh arrays pass before its next full
/// collection, so a loop that drained the pool would touch that much new memory in between. Hence, once the pool has
/// handed out <see cref="CollectionBudget"/> bytes of fresh arrays since the last full collection, it asks for one (in
/// the background where the runtime can); the budget doubles while collections give back little of what was allocated
/// (tensors that stay alive, such as a model's weights being loaded).
/// </para>
/// <para>
/// An owner that can prove nothing reads a buffer any more (the graph executor, after a value's last use) hands it back
/// at once with <see cref="Return"/> instead of waiting for a collection, so the next request of its size reuses it while
/// its pages are still in the caches.
/// </para>
/// <para>
/// Bounded: the free buffers total at most <see cref="MaxBytes"/> (a returning buffer that does not fit is left to the
/// collector); after every full collection, buffers idle for <see cref="IdleMilliseconds"/> are dropped, and all of
/// them when the machine's memory load is high. Thread-safe.
/// </para>
/// </summary>
internal sealed class CpuBufferPool
{
    /// <summary>The runtime's default size from which arrays go to the large object heap.</summary>
    internal const int DefaultLargeObjectBytes = 85_000;

    /// <summary>How long a free buffer may sit unused before a full collection drops it.</summary>
    internal const long IdleMilliseconds = 30_000;

    /// <summary>The runtime configuration knob (runtimeconfig.json or <c>AppContext.SetData</c> before the first tensor) for <see cref="MaxBytes"/> of <see cref="Shared"/>.</summary>
    internal const string MaxBytesSetting = "Kiln.CpuBufferPool.MaxBytes";

    /// <summary>
    /// The fresh bytes after which the shared pool first asks for a full collection: a few calls' worth, so that a loop
    /// whose tensors die runs mostly on reused buffers, with one full collection per pool's worth of allocations.
    /// </summary>
    internal const long DefaultCollectionBudget = 8L << 20;

    /// <summary>The most bytes of free buffers the shared pool keeps unless configured otherwise.</summary>
    internal const long DefaultMaxBytes = 256L << 20;

    private readonly Lock gate = new();
    private readonly Dictionary<int, List<PooledBuffer>> free = [];
    private readonly long baseBudget;
    private long freeBytes, hits, misses, returns;
    private long freshBytes, reclaimedBytes, reclaimedAtLastRequest, budget;
    private int fullCollections;

    /// <summary>
    /// A pool that keeps at most <paramref name="maxBytes"/> bytes of free buffers of at least <paramref name="minBytes"/>
    /// bytes each and asks for a full collection after <paramref name="collectionBudget"/> fresh bytes (0: never).
    /// </summary>
    internal CpuBufferPool(long maxBytes, int minBytes, long collectionBudget)
    {
        MaxBytes = maxBytes;
        MinBytes = minBytes;
        baseBudget = budget = collectionBudget;
        fullCollections = GC.CollectionCount(2);
        TrimAfterFullCollection.Start(this);
    }

    /// <summary>The pool behind every CPU <see cref="Storage"/>.</summary>
    internal static CpuBufferPool Shared { get; } = new(ConfiguredMaxBytes(), LargeObjectThreshold(), DefaultCollectionBudget);

    /// <summary>Fresh bytes after a full collection after which the pool asks for the next one.</summary>
    internal long CollectionBudget => Interlocked.Read(ref budget);

    /// <summary>The most bytes the free buffers may total; 0 turns pooling off.</summary>
    internal long MaxBytes { get; }

    /// <summary>Requests below this many bytes are plain allocations.</summary>
    internal int MinBytes { get; }

    /// <summary>The bytes in free buffers now.</summary>
    internal long FreeBytes
    {
        get
        {
            lock (gate) return freeBytes;
        }
    }

    /// <summary>Requests served from a free buffer so far.</summary>
    internal long Hits => Interlocked.Read(ref hits);

    /// <summary>Pooled-size requests that needed a fresh array so far.</summary>
    internal long Misses => Interlocked.Read(ref misses);

    /// <summary>
    /// An array of exactly <paramref name="length"/> bytes that nothing else references: zero-filled when
    /// <paramref name="zeroed"/>, otherwise with unspecified contents.
    /// </summary>
    internal byte[] Rent(int length, bool zeroed) => RentTracked(length, zeroed).Bytes;

    /// <summary>
    /// <see cref="Rent"/>, with the buffer's tracker and lease for an explicit <see cref="Return"/> (no tracker for a buffer
    /// below <see cref="MinBytes"/> or when pooling is off: such buffers are plain arrays).
    /// </summary>
    internal (byte[] Bytes, PooledBuffer? Tracker, int Lease) RentTracked(int length, bool zeroed)
    {
        if (length < MinBytes || MaxBytes == 0) return (Fresh(length, zeroed), null, 0);
        if (TakeFree(length) is { } reused)
        {
            if (zeroed) Array.Clear(reused.Bytes);
            return (reused.Bytes, reused, reused.Lease);
        }
        Interlocked.Increment(ref misses);
        CountFresh(length);
        var bytes = Fresh(length, zeroed);
        var tracker = PooledBuffer.Track(bytes, this);
        return (bytes, tracker, tracker.Lease);
    }

    /// <summary>
    /// Takes <paramref name="buffer"/> back now, from the owner of its lease <paramref name="lease"/>, who promises that
    /// nothing reads or writes it any more; the next request for its size gets it, warm. False, changing nothing, when the
    /// buffer is already free, the lease is over (a second or stale return), or it does not fit under
    /// <see cref="MaxBytes"/> (the collector returns it later, as any other).
    /// </summary>
    internal bool Return(PooledBuffer buffer, int lease)
    {
        if (buffer.Pool != this) throw new ArgumentException("the buffer belongs to another pool", nameof(buffer));
        lock (gate)
        {
            if (buffer.IsFree || buffer.Lease != lease || !AddFree(buffer)) return false;
            returns++;
            return true;
        }
    }

    /// <summary>Buffers taken back by <see cref="Return"/> so far.</summary>
    internal long Returns
    {
        get
        {
            lock (gate) return returns;
        }
    }

    /// <summary>Whether <paramref name="bytes"/> sits in the free list now (a test hook).</summary>
    internal bool IsFree(byte[] bytes)
    {
        lock (gate) return free.TryGetValue(bytes.Length, out var stack) && stack.Exists(b => ReferenceEquals(b.Bytes, bytes));
    }

    /// <summary>
    /// Adds <paramref name="length"/> fresh bytes to the count since the last full collection and asks for one when they
    /// reach the budget. The budget doubles (up to <see cref="MaxBytes"/>) when less than a quarter of the bytes
    /// allocated since the previous request came back, and returns to its base value when more did.
    /// </summary>
    private void CountFresh(int length)
    {
        int collections = GC.CollectionCount(2);
        if (collections != Volatile.Read(ref fullCollections))
        {
            // A full collection ran since the last count (the runtime's own or ours): count from here.
            Volatile.Write(ref fullCollections, collections);
            Interlocked.Exchange(ref freshBytes, 0);
        }
        long fresh = Interlocked.Add(ref freshBytes, length), limit = Interlocked.Read(ref budget);
        if (limit == 0 || fresh < limit || Interlocked.CompareExchange(ref freshBytes, 0, fresh) != fresh) return;
        long reclaimed = Interlocked.Read(ref reclaimedBytes);
        long sinceLast = reclaimed - Interlocked.Exchange(ref reclaimedAtLastRequest, reclaimed);
        Interlocked.Exchange(ref budget, sinceLast < limit / 4 ? Math.Min(2 * limit, Math.Max(MaxBytes, baseBudget)) : baseBudget);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
    }

    /// <summary>Takes back a buffer that became unreachable; false when it does not fit under <see cref="MaxBytes"/>.</summary>
    internal bool TryReturn(PooledBuffer buffer)
    {
        Interlocked.Add(ref reclaimedBytes, buffer.Bytes.Length);
        lock (gate) return !buffer.IsFree && AddFree(buffer);
    }

    // Under the lock.
    private bool AddFree(PooledBuffer buffer)
    {
        int length = buffer.Bytes.Length;
        if (freeBytes + length > MaxBytes) return false;
        if (!free.TryGetValue(length, out var stack)) free[length] = stack = [];
        buffer.ReturnedAt = Environment.TickCount64;
        buffer.IsFree = true;
        stack.Add(buffer);
        freeBytes += length;
        return true;
    }

    /// <summary>
    /// Drops free buffers that sat unused for <see cref="IdleMilliseconds"/>, or every free buffer when
    /// <paramref name="everything"/>, leaving them to the garbage collector.
    /// </summary>
    internal void Trim(bool everything)
    {
        long cutoff = Environment.TickCount64 - IdleMilliseconds;
        lock (gate)
        {
            foreach (var stack in free.Values)
            {
                stack.RemoveAll(buffer =>
                {
                    if (!everything && buffer.ReturnedAt > cutoff) return false;
                    freeBytes -= buffer.Bytes.Length;
                    buffer.Release();
                    return true;
                });
            }
        }
    }

    private PooledBuffer? TakeFree(int length)
    {
        lock (gate)
        {
            if (!free.TryGetValue(length, out var stack) || stack.Count == 0) return null;
            // The most recently returned buffer: the likeliest to still be in the caches.
            var buffer = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            freeBytes -= length;
            hits++;
            buffer.Reuse();
            return buffer;
        }
    }

    private static byte[] Fresh(int length, bool zeroed) => zeroed ? new byte[length] : GC.AllocateUninitializedArray<byte>(length);

    // Default: 256 MiB, or an eighth of the memory the runtime may use where that is less.
    private static long ConfiguredMaxBytes()
    {
        object? setting = AppContext.GetData(MaxBytesSetting);
        if (setting is not null)
        {
            if (long.TryParse(setting.ToString(), out long configured) && configured >= 0) return configured;
            throw new InvalidOperationException($"{MaxBytesSetting}: expected a byte count >= 0, got '{setting}'");
        }
        return Math.Min(DefaultMaxBytes, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8);
    }

    // Arrays below the runtime's threshold (System.GC.LOHThreshold, which an app may raise) are young objects that the
    // cheap young-generation collections free and whose memory they reuse: pooling them would only age them.
    private static int LargeObjectThreshold() =>
        GC.GetConfigurationVariables().TryGetValue("LOHThreshold", out object? value) && value is long bytes && bytes > 0
            ? (int)Math.Min(bytes, int.MaxValue)
            : DefaultLargeObjectBytes;

    /// <summary>
    /// Trims its pool after every full collection: an object that is never referenced, whose finalizer runs after each
    /// collection of its generation (the second, once it has survived two) and registers it again.
    /// </summary>
    private sealed class TrimAfterFullCollection
    {
        private readonly WeakReference<CpuBufferPool> pool;

        private TrimAfterFullCollection(CpuBufferPool pool) => this.pool = new(pool);

        internal static void Start(CpuBufferPool pool) => _ = new TrimAfterFullCollection(pool);

        ~TrimAfterFullCollection()
        {
            if (!pool.TryGetTarget(out var target)) return;
            var memory = GC.GetGCMemoryInfo();
            target.Trim(everything: memory.MemoryLoadBytes >= memory.HighMemoryLoadThresholdBytes);
            GC.ReRegisterForFinalize(this);
        }
    }
}
