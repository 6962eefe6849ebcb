using System.Diagnostics;

namespace Kiln.Kernels;

/// <summary>
/// Dedicated threads for <see cref="CpuParallel"/>'s chunks: after a job each one spins for <see cref="SpinMicroseconds"/>
/// before it blocks, so that the products and elementwise kernels a model runs one after another find it awake. A
/// thread-pool hand-off through <c>Parallel.For</c> cost ~50 µs a call here (2 vCPUs under KVM), a tenth of a batch-64
/// 784×512 product. One job at a time: a caller that finds the pool busy (another thread's job, or a chunk that starts
/// its own) gets false and runs its chunks another way. Chunks are claimed from one counter and the caller claims too,
/// so a job finishes even if no worker ever wakes.
/// </summary>
internal sealed class WorkerPool
{
    /// <summary>How long an idle worker spins for the next job before it blocks.</summary>
    internal const int SpinMicroseconds = 200;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    // Monitor.Wait needs a Monitor lock, which a System.Threading.Lock is not.
    private readonly object gate = new();
    private readonly List<Thread> threads = [];
    private Job? current;
    private int busy, sleepers;

    /// <summary>The process's pool; its threads start on first use.</summary>
    internal static WorkerPool Shared { get; } = new();

    /// <summary>One parallel call: its chunks, the next one to claim, how many have finished, the first exception.</summary>
    private sealed class Job(int chunks, Action<int> body)
    {
        internal readonly int Chunks = chunks;
        internal readonly Action<int> Body = body;
        internal int Next, Finished;
        internal Exception? Error;

        /// <summary>Runs chunks until none is left to claim.</summary>
        internal void Work()
        {
            for (int chunk; (chunk = Interlocked.Increment(ref Next) - 1) < Chunks;)
            {
                try
                {
                    Body(chunk);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, e, null);
                }
                finally
                {
                    Interlocked.Increment(ref Finished);
                }
            }
        }
    }

    /// <summary>
    /// Runs body(0) … body(chunks − 1) on this thread and up to chunks − 1 workers and returns true, or returns false at
    /// once (running nothing) when the pool is already running a job. The first exception a chunk throws is rethrown
    /// here after every claimed chunk has finished.
    /// </summary>
    internal bool TryRun(int chunks, Action<int> body)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            EnsureWorkers(chunks - 1);
            var job = new Job(chunks, body);
            // Both sides use full fences (Interlocked): a worker either sees the job or is counted among the sleepers.
            Interlocked.Exchange(ref current, job);
            if (Volatile.Read(ref sleepers) > 0)
            {
                lock (gate) Monitor.PulseAll(gate);
            }
            job.Work();
            var wait = new SpinWait();
            // Every chunk is claimed once this thread's Work returns: wait for those other threads still run.
            while (Volatile.Read(ref job.Finished) < chunks)
                wait.SpinOnce(sleep1Threshold: -1);
            if (job.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            return true;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private void EnsureWorkers(int count)
    {
        if (threads.Count >= count) return;
        lock (gate)
        {
            while (threads.Count < count)
            {
                var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"Kiln worker {threads.Count + 1}" };
                threads.Add(thread);
                thread.Start();
            }
        }
    }

    private void WorkerLoop()
    {
        Job? seen = null;
        while (true)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            Job? job;
            while ((job = Volatile.Read(ref current)) == seen)
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                lock (gate)
                {
                    Interlocked.Increment(ref sleepers);
                    while (Volatile.Read(ref current) == seen) Monitor.Wait(gate);
                    Interlocked.Decrement(ref sleepers);
                }
            }
            seen = job;
            job!.Work();
        }
    }
}
