namespace Kiln.Kernels.Recurrent;

/// <summary>
/// Runs a recurrence of <c>steps</c> steps, each split into <c>parts</c> independent tasks, on up to <c>parts</c>
/// threads started once for the whole recurrence (a thread hand-off per step costs as much as a small step).
/// Tasks are claimed in order from one counter, and a task waits (spinning) only until every task of the earlier
/// steps is done. A waiting thread only ever waits for tasks that running threads have claimed, so the schedule
/// finishes even when the pool never starts a second thread: the caller then runs every task itself.
/// </summary>
internal sealed class StepSchedule
{
    /// <summary>Tight spins (of 8 pause instructions) before a waiting thread starts yielding.</summary>
    private const int HardSpins = 2000;

    private readonly int steps, parts;
    private readonly Action<int, int> task;
    private int next = -1, done;
    private volatile bool failed;

    private StepSchedule(int steps, int parts, Action<int, int> task) => (this.steps, this.parts, this.task) = (steps, parts, task);

    /// <summary>Runs <paramref name="task"/>(step, part) for every step in order and every part; parts of one step may run at once.</summary>
    internal static void Run(int steps, int parts, Action<int, int> task)
    {
        if (parts <= 1)
        {
            for (int s = 0; s < steps; s++) task(s, 0);
            return;
        }
        var schedule = new StepSchedule(steps, parts, task);
        CpuParallel.Chunks(parts, _ => schedule.Work());
    }

    private void Work()
    {
        int total = steps * parts;
        while (!failed)
        {
            int k = Interlocked.Increment(ref next);
            if (k >= total) return;
            int before = k / parts * parts;
            // Steps take tens of µs: spin hard for about that long before yielding the core (a yield is a system call,
            // and a step's partner is normally a few µs away).
            var spin = new SpinWait();
            for (int tries = 0; Volatile.Read(ref done) < before && !failed; tries++)
            {
                if (tries < HardSpins) Thread.SpinWait(8);
                else spin.SpinOnce(sleep1Threshold: -1);
            }
            if (failed) return;
            try
            {
                task(k / parts, k % parts);
            }
            catch
            {
                // The other threads wait for this task: stop them before the exception leaves.
                failed = true;
                throw;
            }
            Interlocked.Increment(ref done);
        }
    }
}
