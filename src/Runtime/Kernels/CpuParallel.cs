namespace Kiln.Kernels;

/// <summary>Splits a range of work across <see cref="Threading.NumThreads"/> threads when it is large enough to pay for it.</summary>
internal static class CpuParallel
{
    /// <summary>Elements below which elementwise work stays on the calling thread (a thread hand-off costs a few µs).</summary>
    internal const long ElementwiseGrain = 1 << 15;

    // Set while a thread runs work that is itself one thread's share (see Serially).
    [ThreadStatic]
    private static bool serial;

    /// <summary>
    /// Runs <paramref name="body"/> with every <see cref="For"/> and <see cref="Chunks"/> inside it on the calling thread:
    /// for work that is already one thread's share of a split, where splitting again would hand chunks to the thread
    /// pool while the other threads are busy with their own shares.
    /// </summary>
    internal static void Serially(Action body)
    {
        bool outer = serial;
        serial = true;
        try
        {
            body();
        }
        finally
        {
            serial = outer;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="total"/>) in contiguous chunks, one per thread,
    /// or in one call when <paramref name="total"/> &lt; <paramref name="grain"/>.
    /// </summary>
    internal static void For(long total, long grain, Action<long, long> body)
    {
        int threads = Threading.NumThreads;
        if (total < grain || threads == 1 || serial)
        {
            if (total > 0) body(0, total);
            return;
        }
        int chunks = (int)Math.Min(threads, (total + grain - 1) / grain);
        if (chunks <= 1)
        {
            body(0, total);
            return;
        }
        Chunks(chunks, c =>
        {
            long start = total * c / chunks, end = total * (c + 1) / chunks;
            if (end > start) body(start, end);
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/>(c) for every c in [0, <paramref name="chunks"/>) on up to that many threads: Kiln's own
    /// <see cref="WorkerPool"/>, or the thread pool when that is busy (another caller's job, or a chunk's own chunks).
    /// </summary>
    internal static void Chunks(int chunks, Action<int> body)
    {
        if (serial)
        {
            for (int c = 0; c < chunks; c++) body(c);
            return;
        }
        if (WorkerPool.Shared.TryRun(chunks, body)) return;
        try
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // Surface the kernel's own exception (e.g. integer division by zero), not the thread pool's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
