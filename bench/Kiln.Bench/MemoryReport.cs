using Kiln.Graphs;

namespace Kiln.Bench;

/// <summary>
/// <c>--memory</c>: the tensor memory one forward pass of each model creates (<see cref="GraphMemory"/>), through the
/// unoptimised graph and the optimised one. The executor frees each value after its last use, so "peak" is what it holds
/// at most; "created" is every tensor the run makes, which is what eager mode holds by the end of the forward pass when
/// no garbage collection runs during it (eager Kiln has no allocation counter; its ops create the same tensors as the
/// unoptimised graph's, which runs the same kernels).
/// </summary>
internal static class MemoryReport
{
    /// <summary>Prints one row per model.</summary>
    public static void Print(TextWriter output)
    {
        output.WriteLine("| model | eager: created (≈ held at the end) | scripted: peak | scripted: created | optimized: peak | optimized: created | fused groups |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var model in ScriptedWorkloads.Models)
        {
            var (module, input) = ScriptedWorkloads.Instance(model);
            using var noGrad = Autograd.NoGrad();
            var plain = ScriptedWorkloads.Scripted(module, input, optimize: false).MeasureMemory(input);
            var optimizedModule = ScriptedWorkloads.Scripted(module, input, optimize: true);
            var optimized = optimizedModule.MeasureMemory(input);
            int groups = optimizedModule.Graph.AllNodes().Count(n => n.Callee?.Name.Contains("_fused_", StringComparison.Ordinal) == true);
            output.WriteLine($"| {model.Name} | {KiB(plain.AllocatedBytes)} | {KiB(plain.PeakBytes)} | {KiB(plain.AllocatedBytes)} | {KiB(optimized.PeakBytes)} | {KiB(optimized.AllocatedBytes)} | {groups} |");
        }
    }

    private static string KiB(long bytes) => $"{bytes / 1024.0:F1} KiB";
}
