using System.Diagnostics;
using System.Globalization;
using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.IR;

namespace Kiln.Cli.Opt;

/// <summary>
/// <c>kiln opt --compile-kernels</c>: compiles the fused groups of the transformed module as the runtime would (through
/// the on-disk kernel cache), without running them, and says how many were compiled and how many came from the cache.
/// </summary>
internal static class KernelCompilation
{
    /// <summary>
    /// Compiles every fused callee of <paramref name="module"/> and returns one line:
    /// <c>kernels: G fused groups, C compiled, L from cache, N not compiled, T ms (cache: DIR)</c>. The time leaves out
    /// loading LLVM and creating the JIT, which every process pays once.
    /// </summary>
    internal static string Compile(GraphModule module)
    {
        var fused = module.Graphs.Where(g => g.Name.Contains("_fused_", StringComparison.Ordinal)).ToList();
        if (!Llvm.IsAvailable)
            return $"kernels: {fused.Count} fused groups, not compiled: {Llvm.UnavailableReason}";
        _ = LlvmJit.Shared;
        var cache = KernelCache.Default;
        var before = cache.Statistics;
        var clock = Stopwatch.StartNew();
        int failed = fused.Count(g => !KernelCompiler.TryCompileGroup(g, out _));
        double milliseconds = clock.Elapsed.TotalMilliseconds;
        var after = cache.Statistics;
        return string.Create(CultureInfo.InvariantCulture,
            $"kernels: {fused.Count} fused groups, {after.Compiled - before.Compiled} compiled, {after.Loaded - before.Loaded} from cache, " +
            $"{failed} not compiled, {milliseconds:F1} ms (cache: {cache.Directory ?? KernelCache.DisabledValue})");
    }
}
