using Kiln.Kernels;

namespace Kiln.Tests;

/// <summary>
/// <see cref="CpuParallel.Chunks"/> on Kiln's <see cref="WorkerPool"/>: every chunk runs once however jobs follow one
/// another, after the workers have gone to sleep too; a chunk's exception surfaces as itself and leaves the pool working;
/// chunks that start chunks of their own, and callers on several threads at once, find the pool busy and still finish.
/// </summary>
public class WorkerPoolTests
{
    [Fact]
    public void Every_chunk_runs_once_in_back_to_back_jobs()
    {
        for (int job = 0; job < 2000; job++)
        {
            int chunks = 1 + job % 5;
            var runs = new int[chunks];
            CpuParallel.Chunks(chunks, c => Interlocked.Increment(ref runs[c]));
            Assert.All(runs, count => Assert.Equal(1, count));
        }
    }

    [Fact]
    public void A_job_after_the_workers_sleep_wakes_them()
    {
        for (int job = 0; job < 5; job++)
        {
            // Past the spin window: the worker blocks, and the next job must wake it (or run on this thread alone).
            Thread.Sleep(WorkerPool.SpinMicroseconds / 1000 + 5);
            var threads = new int[2];
            CpuParallel.Chunks(2, c => threads[c] = Environment.CurrentManagedThreadId);
            Assert.All(threads, id => Assert.NotEqual(0, id));
        }
    }

    [Fact]
    public void A_chunks_exception_surfaces_as_itself_and_the_pool_keeps_working()
    {
        var error = Assert.Throws<DivideByZeroException>(() => CpuParallel.Chunks(2, c =>
        {
            if (c == 1) throw new DivideByZeroException("chunk 1");
        }));
        Assert.Equal("chunk 1", error.Message);
        var runs = new int[2];
        CpuParallel.Chunks(2, c => Interlocked.Increment(ref runs[c]));
        Assert.Equal([1, 1], runs);
    }

    [Fact]
    public void Chunks_that_start_chunks_and_callers_on_several_threads_all_finish()
    {
        var inner = new int[2 * 3];
        CpuParallel.Chunks(2, outer => CpuParallel.Chunks(3, c => Interlocked.Increment(ref inner[outer * 3 + c])));
        Assert.All(inner, count => Assert.Equal(1, count));

        var totals = new long[4];
        var callers = Enumerable.Range(0, totals.Length).Select(t => new Thread(() =>
        {
            for (int job = 0; job < 300; job++)
                CpuParallel.Chunks(2, c => Interlocked.Add(ref totals[t], c + 1));
        })).ToArray();
        foreach (var caller in callers) caller.Start();
        foreach (var caller in callers) caller.Join();
        Assert.All(totals, total => Assert.Equal(300 * 3, total));
    }
}
