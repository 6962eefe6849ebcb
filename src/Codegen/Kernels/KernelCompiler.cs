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
        return source is not null && TryCompileSource(source, callee, out kernel, out reason);
    }

    /// <summary>
    /// Compiles the epilogue of <paramref name="callee"/>, a group whose first node is a matrix product or convolution
    /// (<see cref="EpilogueKernel.IsHeaded"/>) and whose other nodes are elementwise ops over its result, with output 0
    /// written over the product in place.
    /// </summary>
    /// <param name="callee">The group's graph.</param>
    /// <param name="kernel">The kernel, or null when the graph is not compilable.</param>
    /// <param name="reason">Null on success; else why not, as for <see cref="TryCompile"/>.</param>
    /// <returns>Whether the epilogue compiled.</returns>
    public static bool TryCompileEpilogue(Graph callee, out EpilogueKernel? kernel, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(callee);
        kernel = null;
        if (CheckEpilogue(callee, out reason) is not { } checkedSplit) return false;
        var (split, source) = checkedSplit;
        if (!TryCompileSource(source, callee, out var epilogue, out reason)) return false;
        kernel = EpilogueKernel.Create(split, epilogue!);
        return true;
    }

    /// <summary>
    /// Compiles fused group <paramref name="callee"/> as the runtime would: its epilogue when a matrix product heads it
    /// (<see cref="TryCompileEpilogue"/>), else the whole group (<see cref="TryCompile"/>).
    /// </summary>
    /// <param name="callee">The group's graph.</param>
    /// <param name="reason">Null on success; else why not.</param>
    /// <returns>Whether the group compiled.</returns>
    public static bool TryCompileGroup(Graph callee, out string? reason) =>
        EpilogueKernel.IsHeaded(callee) ? TryCompileEpilogue(callee, out _, out reason) : TryCompile(callee, out _, out reason);

    /// <summary>Why <paramref name="callee"/> is not compilable, or null when it is (no LLVM needed to ask).</summary>
    public static string? WhyNotCompilable(Graph callee)
    {
        ArgumentNullException.ThrowIfNull(callee);
        string? reason;
        if (EpilogueKernel.IsHeaded(callee)) CheckEpilogue(callee, out reason);
        else ElementwiseKernelSource.Check(callee, out reason);
        return reason;
    }

    /// <summary>A headed group split into its matrix product and its in-place elementwise epilogue's source, or null with the reason.</summary>
    internal static ((Node Head, Graph Epilogue, int[] Inputs) Split, ElementwiseKernelSource Source)? CheckEpilogue(Graph callee, out string? reason)
    {
        if (EpilogueKernel.Split(callee, out reason) is not { } split) return null;
        return ElementwiseKernelSource.Check(split.Epilogue, out reason, inPlace: true) is { } source ? (split, source) : null;
    }

    private static bool TryCompileSource(ElementwiseKernelSource source, Graph callee, out CompiledKernel? kernel, out string? reason)
    {
        kernel = null;
        reason = null;
        var contiguous = KernelLayout.Contiguous(source.InputDTypes.Length);
        // Kernels loaded from a model's native library need no LLVM: LLVM is not even asked whether it is installed.
        if (PrecompiledKernels.TryGet(ElementwiseKernelEmitter.Emit(source, contiguous), out nint precompiled))
        {
            kernel = new CompiledKernel(source, contiguous, precompiled);
            return true;
        }
        if (!Llvm.IsAvailable)
        {
            reason = "LLVM is unavailable: " + Llvm.UnavailableReason;
            return false;
        }
        try
        {
            kernel = new CompiledKernel(source, contiguous, CompileIr(ElementwiseKernelEmitter.Emit(source, contiguous)));
            return true;
        }
        catch (LlvmException e)
        {
            reason = $"LLVM failed to compile @{callee.Name}: {e.Message}: {e.LlvmMessage}";
            return false;
        }
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
