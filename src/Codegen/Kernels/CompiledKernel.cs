using System.Collections.Concurrent;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// A fused elementwise graph compiled to native code by <see cref="KernelCompiler"/>. Each <see cref="KernelLayout"/>
/// of the inputs gets its own variant, compiled on first use and kept for the process. Callers pass data pointers, the
/// coalesced output shape and every operand's element strides (see <see cref="Run"/>); they may split [0, numel) into
/// ranges and run them on several threads at once.
/// </summary>
public sealed unsafe class CompiledKernel
{
    /// <summary>The largest rank a kernel walks (callers coalesce dims first).</summary>
    public const int MaxRank = 8;

    private readonly ElementwiseKernelSource source;
    private readonly ConcurrentDictionary<KernelLayout, nint> entries = new();

    internal CompiledKernel(ElementwiseKernelSource source, KernelLayout first, nint entry)
    {
        this.source = source;
        entries[first] = entry;
    }

    /// <summary>The callee graph's name.</summary>
    public string Name => source.Graph.Name;

    /// <summary>The compute dtype, which every output has (float32 or float64).</summary>
    public DType DType => source.DType;

    /// <summary>Each input's dtype (the compute dtype, or bool for a where condition).</summary>
    public IReadOnlyList<DType> InputDTypes => source.InputDTypes;

    /// <summary>Whether output 0 is written over input 0 (an epilogue over its product): callers pass one buffer for both.</summary>
    public bool InPlace => source.InPlace;

    /// <summary>The number of outputs.</summary>
    public int OutputCount => source.Graph.Outputs.Count;

    /// <summary>The LLVM IR of the variant for <paramref name="layout"/> (what is compiled, and the cache key).</summary>
    public string LlvmIr(KernelLayout layout) => ElementwiseKernelEmitter.Emit(source, CheckLayout(layout));

    /// <summary>
    /// The entry point of the variant for <paramref name="layout"/>: precompiled (<see cref="PrecompiledKernels"/>), else
    /// compiled on first use; without LLVM, the precompiled all-strided variant, which serves any layout.
    /// </summary>
    /// <exception cref="LlvmException">LLVM failed to compile the variant.</exception>
    /// <exception cref="LlvmUnavailableException">LLVM is unavailable and no precompiled variant serves the layout.</exception>
    public nint EntryPoint(KernelLayout layout) =>
        entries.TryGetValue(layout, out nint entry) ? entry
            : entries.GetOrAdd(layout, l => KernelCompiler.ResolveVariant(LlvmIr(l), () => LlvmIr(KernelLayout.Strided(InputDTypes.Count))));

    /// <summary>
    /// Computes every output for linear output elements [<paramref name="begin"/>, <paramref name="end"/>) with the variant
    /// at <paramref name="entry"/> (from <see cref="EntryPoint"/>).
    /// </summary>
    /// <param name="entry">The variant for the inputs' layout.</param>
    /// <param name="buffers">The address of element 0 of each input, then of each output.</param>
    /// <param name="shape">The output shape, rank 1 to <see cref="MaxRank"/>, coalesced so the outputs' last stride is 1.</param>
    /// <param name="strides">Each operand's element strides, operand after operand (rank entries each); 0 on broadcast dims.</param>
    /// <param name="begin">The first linear output element.</param>
    /// <param name="end">One past the last.</param>
    /// <exception cref="ArgumentException">The spans' lengths do not fit the kernel, or the rank is out of range.</exception>
    public void Run(nint entry, ReadOnlySpan<nint> buffers, ReadOnlySpan<long> shape, ReadOnlySpan<long> strides, long begin, long end)
    {
        int operands = InputDTypes.Count + OutputCount;
        if (buffers.Length != operands || shape.Length is < 1 or > MaxRank || strides.Length != operands * shape.Length)
        {
            throw new ArgumentException(
                $"kernel {Name}: expected {operands} buffers and strides for a rank 1 to {MaxRank} shape, got {buffers.Length} buffers, rank {shape.Length}, {strides.Length} strides");
        }
        var kernel = (delegate* unmanaged<nint*, long*, long*, long, long, long, void>)entry;
        fixed (nint* b = buffers)
        fixed (long* s = shape, t = strides)
            kernel(b, s, t, shape.Length, begin, end);
    }

    private KernelLayout CheckLayout(KernelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Steps.Count != InputDTypes.Count)
            throw new ArgumentException($"kernel {Name} has {InputDTypes.Count} inputs, but the layout '{layout}' describes {layout.Steps.Count}", nameof(layout));
        return layout;
    }
}
