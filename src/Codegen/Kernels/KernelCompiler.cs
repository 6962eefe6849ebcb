using System.Collections.Concurrent;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Compiles fused callee graphs (the fusion pass's <c>&lt;graph&gt;_fused_&lt;k&gt;</c> groups: elementwise, row and
/// epilogue groups) to native kernels with LLVM. Compiled modules are cached for the process by their LLVM IR text, so
/// equal groups (in one model or in two) share code; modules live until the process ends. Across processes, <see cref="KernelCache.Default"/> keeps
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
    /// Compiles <paramref name="callee"/>, a row group: elementwise ops and row reductions (sum, mean, amax, amin over the
    /// last dim with keepdim) over float32 or float64 values of one shape S, whose outputs have shape S or S with its last
    /// dim 1 (softmax, log_softmax, layer norm after decomposition); its contiguous variant is compiled at once.
    /// </summary>
    /// <param name="callee">The group's graph.</param>
    /// <param name="kernel">The kernel, or null when the graph is not compilable.</param>
    /// <param name="reason">Null on success; else why not, as for <see cref="TryCompile"/>.</param>
    /// <returns>Whether the graph compiled.</returns>
    public static bool TryCompileRows(Graph callee, out RowKernel? kernel, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(callee);
        kernel = null;
        var source = RowKernelSource.Check(callee, out reason);
        return source is not null && TryCompileRowSource(source, callee, out kernel, out reason);
    }

    /// <summary>
    /// Compiles the epilogue of <paramref name="callee"/>, a group whose first node is a matrix product or convolution
    /// (<see cref="EpilogueKernel.IsHeaded"/>) and whose other nodes are elementwise ops over its result, or a row group
    /// over it (<see cref="TryCompileRows"/>), with output 0 written over the product in place.
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
        var (split, elementwise, rows) = checkedSplit;
        if (rows is not null)
        {
            if (!TryCompileRowSource(rows, callee, out var rowEpilogue, out reason)) return false;
            kernel = EpilogueKernel.Create(split, rowEpilogue!);
            return true;
        }
        if (!TryCompileSource(elementwise!, callee, out var epilogue, out reason)) return false;
        kernel = EpilogueKernel.Create(split, epilogue!);
        return true;
    }

    /// <summary>
    /// Compiles fused group <paramref name="callee"/> as the runtime would: its epilogue when a matrix product heads it
    /// (<see cref="TryCompileEpilogue"/>), else a row kernel when it has a reduction (<see cref="TryCompileRows"/>), else
    /// the whole group (<see cref="TryCompile"/>).
    /// </summary>
    /// <param name="callee">The group's graph.</param>
    /// <param name="reason">Null on success; else why not.</param>
    /// <returns>Whether the group compiled.</returns>
    public static bool TryCompileGroup(Graph callee, out string? reason) =>
        EpilogueKernel.IsHeaded(callee) ? TryCompileEpilogue(callee, out _, out reason)
            : IsRowGroup(callee) ? TryCompileRows(callee, out _, out reason)
            : TryCompile(callee, out _, out reason);

    /// <summary>
    /// Whether <paramref name="callee"/> (not headed by a matrix product) has a sum, mean, amax or amin node: then it compiles
    /// as a row kernel (<see cref="TryCompileRows"/>) or not at all.
    /// </summary>
    public static bool IsRowGroup(Graph callee)
    {
        ArgumentNullException.ThrowIfNull(callee);
        return RowKernelSource.HasReduction(callee);
    }

    /// <summary>Why <paramref name="callee"/> is not compilable, or null when it is (no LLVM needed to ask).</summary>
    public static string? WhyNotCompilable(Graph callee)
    {
        ArgumentNullException.ThrowIfNull(callee);
        CheckGroup(callee, out string? reason);
        return reason;
    }

    /// <summary>
    /// How the runtime compiles <paramref name="callee"/>: its number of kernel inputs and the kernel's LLVM IR per input
    /// layout (the epilogue's when headed, a row kernel's when it has reductions); null with the reason when not compilable.
    /// </summary>
    internal static (int Inputs, Func<KernelLayout, string> Emit)? CheckGroup(Graph callee, out string? reason)
    {
        if (EpilogueKernel.IsHeaded(callee))
        {
            if (CheckEpilogue(callee, out reason) is not { } headed) return null;
            return headed.Rows is { } headedRows ? Emission(headedRows) : Emission(headed.Elementwise!);
        }
        if (RowKernelSource.HasReduction(callee))
            return RowKernelSource.Check(callee, out reason) is { } rows ? Emission(rows) : null;
        return ElementwiseKernelSource.Check(callee, out reason) is { } elementwise ? Emission(elementwise) : null;
    }

    private static (int, Func<KernelLayout, string>) Emission(RowKernelSource source) =>
        (source.InputDTypes.Length, layout => RowKernelEmitter.Emit(source, layout));

    private static (int, Func<KernelLayout, string>) Emission(ElementwiseKernelSource source) =>
        (source.InputDTypes.Length, layout => ElementwiseKernelEmitter.Emit(source, layout));

    /// <summary>
    /// A headed group split into its matrix product and its in-place epilogue's source (a row source when the epilogue has
    /// reductions, else an elementwise one), or null with the reason.
    /// </summary>
    internal static ((Node Head, Graph Epilogue, int[] Inputs) Split, ElementwiseKernelSource? Elementwise, RowKernelSource? Rows)? CheckEpilogue(Graph callee, out string? reason)
    {
        if (EpilogueKernel.Split(callee, out reason) is not { } split) return null;
        if (RowKernelSource.HasReduction(split.Epilogue))
            return RowKernelSource.Check(split.Epilogue, out reason, inPlace: true) is { } rows ? (split, null, rows) : null;
        return ElementwiseKernelSource.Check(split.Epilogue, out reason, inPlace: true) is { } source ? (split, source, null) : null;
    }

    private static bool TryCompileSource(ElementwiseKernelSource source, Graph callee, out CompiledKernel? kernel, out string? reason)
    {
        var contiguous = KernelLayout.Contiguous(source.InputDTypes.Length);
        bool ok = TryCompileFirst(ElementwiseKernelEmitter.Emit(source, contiguous), callee, out nint entry, out reason);
        kernel = ok ? new CompiledKernel(source, contiguous, entry) : null;
        return ok;
    }

    private static bool TryCompileRowSource(RowKernelSource source, Graph callee, out RowKernel? kernel, out string? reason)
    {
        var contiguous = KernelLayout.Contiguous(source.InputDTypes.Length);
        bool ok = TryCompileFirst(RowKernelEmitter.Emit(source, contiguous), callee, out nint entry, out reason);
        kernel = ok ? new RowKernel(source, contiguous, entry) : null;
        return ok;
    }

    /// <summary>The entry point of a kernel's first variant: precompiled, else compiled; false with the reason when neither can be had.</summary>
    private static bool TryCompileFirst(string ir, Graph callee, out nint entry, out string? reason)
    {
        reason = null;
        // Kernels loaded from a model's native library need no LLVM: LLVM is not even asked whether it is installed.
        if (PrecompiledKernels.TryGet(ir, out entry)) return true;
        if (!Llvm.IsAvailable)
        {
            reason = "LLVM is unavailable: " + Llvm.UnavailableReason;
            return false;
        }
        try
        {
            entry = CompileIr(ir);
            return true;
        }
        catch (LlvmException e)
        {
            reason = $"LLVM failed to compile @{callee.Name}: {e.Message}: {e.LlvmMessage}";
            return false;
        }
    }

    /// <summary>
    /// The entry point of kernel variant <paramref name="llvmIr"/>: precompiled, else compiled on first use; without LLVM,
    /// the precompiled all-strided variant <paramref name="stridedIr"/> (which serves any layout).
    /// </summary>
    internal static nint ResolveVariant(string llvmIr, Func<string> stridedIr)
    {
        if (PrecompiledKernels.TryGet(llvmIr, out nint entry)) return entry;
        if (!Llvm.IsAvailable && PrecompiledKernels.TryGet(stridedIr(), out entry)) return entry;
        return CompileIr(llvmIr);
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
