using System.Collections.Concurrent;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Compiles fused elementwise callee graphs (the fusion pass's <c>&lt;graph&gt;_fused_&lt;k&gt;</c> groups) to native
/// kernels with LLVM. Compiled modules are cached for the process by their LLVM IR text, so equal groups (in one model
/// or in two) share code; modules live until the process ends. Across processes, <see cref="KernelCache.Default"/> keeps
/// their object files on disk, so a second process links them instead of compiling again.
/// </summary>
public static class KernelCompiler
{
    private static readonly ConcurrentDictionary<string, Lazy<nint>> Modules = new(StringComparer.Ordinal);

    private static long compilations;

    /// <summary>
    /// How many kernel modules this process has built (misses of the in-process cache), whether compiled or loaded from
    /// the on-disk cache: <see cref="KernelCache.Default"/>'s statistics tell which.
    /// </summary>
    public static long Compilations => Interlocked.Read(ref compilations);

    /// <summary>
    /// Compiles <paramref name="callee"/>, a graph of elementwise ops over float32 or float64 tensors whose outputs have the
    /// inputs' broadcast shape; its contiguous variant is compiled at once, others on first use.
    /// </summary>
    /// <param name="callee">The group's graph.</param>
    /// <param name="kernel">The kernel, or null when the graph is not compilable.</param>
    /// <param name="reason">Null on success; else why not: "not compilable: &lt;op&gt; ...", LLVM being unavailable, or LLVM's error.</param>
    /// <returns>Whether the graph compiled.</returns>
    public static bool TryCompile(Graph callee, out CompiledKernel? kernel, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(callee);
        kernel = null;
        var source = ElementwiseKernelSource.Check(callee, out reason);
        if (source is null) return false;
        if (!Llvm.IsAvailable)
        {
            reason = "LLVM is unavailable: " + Llvm.UnavailableReason;
            return false;
        }
        var layout = KernelLayout.Contiguous(source.InputDTypes.Length);
        try
        {
            kernel = new CompiledKernel(source, layout, CompileIr(ElementwiseKernelEmitter.Emit(source, layout)));
            return true;
        }
        catch (LlvmException e)
        {
            reason = $"LLVM failed to compile @{callee.Name}: {e.Message}: {e.LlvmMessage}";
            return false;
        }
    }

    /// <summary>Why <paramref name="callee"/> is not compilable, or null when it is (no LLVM needed to ask).</summary>
    public static string? WhyNotCompilable(Graph callee)
    {
        ArgumentNullException.ThrowIfNull(callee);
        ElementwiseKernelSource.Check(callee, out string? reason);
        return reason;
    }

    /// <summary>The entry point of <paramref name="llvmIr"/>'s kernel, compiled once per distinct IR text.</summary>
    internal static nint CompileIr(string llvmIr)
    {
        var lazy = Modules.GetOrAdd(llvmIr, ir => new Lazy<nint>(() =>
        {
            Interlocked.Increment(ref compilations);
            var module = KernelCache.Default.Compile(ir, [ElementwiseKernelEmitter.Symbol], new LlvmCompileOptions { ModuleName = "kiln_fused_kernel" });
            return module.GetFunctionPointer(ElementwiseKernelEmitter.Symbol);
        }));
        try
        {
            return lazy.Value;
        }
        catch (LlvmException)
        {
            // A failed compilation is not cached: the next caller gets LLVM's error again rather than a stale exception.
            Modules.TryRemove(new KeyValuePair<string, Lazy<nint>>(llvmIr, lazy));
            throw;
        }
    }
}
