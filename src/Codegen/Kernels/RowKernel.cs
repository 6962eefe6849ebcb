using System.Collections.Concurrent;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// A fused row group (softmax, log_softmax, layer norm ...: elementwise ops and last-dim reductions over a domain S)
/// compiled to native code by <see cref="KernelCompiler"/>. The kernel sees S as rows × <c>c</c> (c = S's last dim) and
/// computes whole rows: callers pass data pointers, the coalesced sizes of S's leading dims, each input's strides and
/// the row length (see <see cref="Run"/>); they may split [0, rows) into ranges and run them on several threads at once.
/// Each <see cref="KernelLayout"/> of the inputs gets its own variant, compiled on first use and kept for the process.
/// </summary>
public sealed unsafe class RowKernel
{
    /// <summary>The largest number of (coalesced) leading dims a kernel walks.</summary>
    public const int MaxRank = CompiledKernel.MaxRank;

    private readonly RowKernelSource source;
    private readonly ConcurrentDictionary<KernelLayout, nint> entries = new();

    internal RowKernel(RowKernelSource source, KernelLayout first, nint entry)
    {
        this.source = source;
        entries[source.Normalize(first)] = entry;
    }

    /// <summary>The callee graph's name.</summary>
    public string Name => source.Graph.Name;

    /// <summary>The compute dtype, which every output has (float32 or float64).</summary>
    public DType DType => source.DType;

    /// <summary>Each input's dtype (the compute dtype, or bool for a where condition).</summary>
    public IReadOnlyList<DType> InputDTypes => source.InputDTypes;

    /// <summary>Whether output 0 is written over input 0 (a row epilogue over its product): callers pass one buffer for both.</summary>
    public bool InPlace => source.InPlace;

    /// <summary>The number of outputs.</summary>
    public int OutputCount => source.Graph.Outputs.Count;

    /// <summary>Which outputs hold one value per row (shape S with its last dim 1); the others have shape S.</summary>
    public IReadOnlyList<bool> RowOutputs => source.RowOutputs;

    /// <summary>The number of reductions, each one pass over a row.</summary>
    public int Passes => source.Reductions.Length;

    /// <summary>Whether a reduction is amax or amin: rows of length 0 have no value (callers run the callee interpreted, which raises PyTorch's error).</summary>
    public bool NeedsNonEmptyRows => source.HasExtremum;

    /// <summary>The LLVM IR of the variant for <paramref name="layout"/> (what is compiled, and the cache key).</summary>
    public string LlvmIr(KernelLayout layout) => RowKernelEmitter.Emit(source, layout);

    /// <summary>
    /// The entry point of the variant for <paramref name="layout"/>: precompiled (<see cref="PrecompiledKernels"/>), else
    /// compiled on first use; without LLVM, the precompiled all-strided variant, which serves any layout.
    /// </summary>
    /// <exception cref="LlvmException">LLVM failed to compile the variant.</exception>
    /// <exception cref="LlvmUnavailableException">LLVM is unavailable and no precompiled variant serves the layout.</exception>
    public nint EntryPoint(KernelLayout layout)
    {
        var key = source.Normalize(layout);
        return entries.TryGetValue(key, out nint entry) ? entry
            : entries.GetOrAdd(key, l => KernelCompiler.ResolveVariant(LlvmIr(l), () => LlvmIr(KernelLayout.Strided(InputDTypes.Count))));
    }

    /// <summary>
    /// Computes every output for rows [<paramref name="begin"/>, <paramref name="end"/>) with the variant at
    /// <paramref name="entry"/> (from <see cref="EntryPoint"/>).
    /// </summary>
    /// <param name="entry">The variant for the inputs' layout.</param>
    /// <param name="buffers">The address of element 0 of each input, then of each (contiguous) output.</param>
    /// <param name="outer">The sizes of the domain's leading dims, 1 to <see cref="MaxRank"/> of them (coalesced; [1] for a 1-d domain); row r is their linear index.</param>
    /// <param name="strides">Each input's element strides, input after input: one per leading dim, then the stride along the row (0 where broadcast).</param>
    /// <param name="rowLength">The domain's last dim, c.</param>
    /// <param name="begin">The first row.</param>
    /// <param name="end">One past the last.</param>
    /// <exception cref="ArgumentException">The spans' lengths do not fit the kernel, or the rank is out of range.</exception>
    public void Run(nint entry, ReadOnlySpan<nint> buffers, ReadOnlySpan<long> outer, ReadOnlySpan<long> strides, long rowLength, long begin, long end)
    {
        int inputs = InputDTypes.Count;
        if (buffers.Length != inputs + OutputCount || outer.Length is < 1 or > MaxRank || strides.Length != inputs * (outer.Length + 1) || rowLength < 0)
        {
            throw new ArgumentException(
                $"row kernel {Name}: expected {inputs + OutputCount} buffers, 1 to {MaxRank} leading dims with {outer.Length + 1} strides per input and a row length ≥ 0, got {buffers.Length} buffers, {outer.Length} dims, {strides.Length} strides, row length {rowLength}");
        }
        var kernel = (delegate* unmanaged<nint*, long*, long*, long, long, long, long, void>)entry;
        fixed (nint* b = buffers)
        fixed (long* o = outer, s = strides)
            kernel(b, o, s, outer.Length, rowLength, begin, end);
    }
}
