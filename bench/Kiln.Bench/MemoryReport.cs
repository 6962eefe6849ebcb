using Kiln.Graphs;
using Kiln.Memory;

namespace Kiln.Bench;

/// <summary>
/// <c>--memory</c>: the tensor memory one forward pass of each model creates (<see cref="GraphMemory"/>), through the
/// unoptimised graph and the optimised one. The executor drops each value after its last use, so "peak" is what it holds
/// at most; "created" is every tensor the run makes, which is what eager mode holds by the end of the forward pass when
/// no garbage collection runs during it (eager Kiln has no allocation counter; its ops create the same tensors as the
/// unoptimised graph's, which runs the same kernels). With buffer reuse the executor also hands each dead intermediate's
/// buffer straight back to the pool: "buffers" is the memory the optimised run touched (a buffer reused within the run
/// counts once), "returned" what went back early, and "fresh buffers per run" how many large buffers each of
/// <see cref="Runs"/> back-to-back runs had to allocate new, with reuse and without (where only a garbage collection
/// returns them).
/// </summary>
internal static class MemoryReport
{
    private const int Runs = 20;

    /// <summary>Prints one row per model.</summary>
    public static void Print(TextWriter output)
    {
        output.WriteLine("| model | eager: created (≈ held at the end) | scripted: peak | optimized: peak | optimized: created | optimized: buffers (reuse on / off) | optimized: returned early | fresh buffers per run (reuse on / off) | fused groups |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var model in ScriptedWorkloads.Models)
        {
            var (module, input) = ScriptedWorkloads.Instance(model);
            using var noGrad = Autograd.NoGrad();
            var plain = ScriptedWorkloads.Scripted(module, input, optimize: false).MeasureMemory(input);
            var optimizedModule = ScriptedWorkloads.Scripted(module, input, optimize: true);
            var executor = optimizedModule.Lower([input]).Executor;
            bool reuse = executor.ReuseBuffers;
            try
            {
                executor.ReuseBuffers = false;
                var withoutReuse = optimizedModule.MeasureMemory(input);
                double freshWithout = FreshBuffersPerRun(optimizedModule, input);
                executor.ReuseBuffers = true;
                var optimized = optimizedModule.MeasureMemory(input);
                double freshWith = FreshBuffersPerRun(optimizedModule, input);
                int groups = optimizedModule.Graph.AllNodes().Count(n => n.Callee?.Name.Contains("_fused_", StringComparison.Ordinal) == true);
                output.WriteLine($"| {model.Name} | {KiB(plain.AllocatedBytes)} | {KiB(plain.PeakBytes)} | {KiB(optimized.PeakBytes)} | {KiB(optimized.AllocatedBytes)} | " +
                    $"{KiB(optimized.BufferBytes)} / {KiB(withoutReuse.BufferBytes)} | {KiB(optimized.ReturnedBytes)} | {freshWith:F1} / {freshWithout:F1} | {groups} |");
            }
            finally
            {
                executor.ReuseBuffers = reuse;
            }
        }
    }

    /// <summary>The large buffers the pool had to allocate new per run, over <see cref="Runs"/> runs after a warm-up run.</summary>
    private static double FreshBuffersPerRun(ScriptModule module, Tensor input)
    {
        module.Run(input);
        long before = CpuBufferPool.Shared.Misses;
        for (int i = 0; i < Runs; i++) module.Run(input);
        return (CpuBufferPool.Shared.Misses - before) / (double)Runs;
    }

    private static string KiB(long bytes) => $"{bytes / 1024.0:F1} KiB";
}
