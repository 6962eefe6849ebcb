using Kiln.Codegen.Kernels;
using Kiln.IR;
using Kiln.Kernels;

namespace Kiln.Graphs;

/// <summary>
/// Runs a fused row group (softmax, log_softmax, layer norm ...: a call of a <c>&lt;graph&gt;_fused_&lt;k&gt;</c> callee
/// with last-dim reductions) with its LLVM-compiled <see cref="RowKernel"/>: the domain S is the inputs' broadcast shape
/// at run time (so symbolic dims take the inputs' sizes), the outputs are allocated contiguous with shape S or ROW(S), the
/// inputs are passed in place (pinned, with their strides) and the rows are split over the CPU threads. Whatever the
/// kernel cannot take runs the callee interpreted instead (<see cref="CallStep"/>), with the same results: autograd or
/// tracing, another dtype, too many leading dims, and empty rows for amax/amin (whose error the callee raises).
/// </summary>
internal sealed class RowKernelStep : Step
{
    /// <summary>Row elements (rows × passes × row length) below which a row kernel stays on the calling thread.</summary>
    private const long RowGrain = CpuParallel.ElementwiseGrain / 4;

    private readonly RowKernel kernel;
    private readonly CallStep interpreted;

    internal RowKernelStep(Node node, RowKernel kernel, CallStep interpreted)
        : base(node)
    {
        this.kernel = kernel;
        this.interpreted = interpreted;
    }

    internal override void Execute(Frame frame)
    {
        var operands = new object?[Operands.Length];
        for (int k = 0; k < operands.Length; k++) operands[k] = Operand(frame, k);
        if (CompiledKernelStep.KernelInputs(operands, Node.Callee!, (t, k) => t.DType == kernel.InputDTypes[k]) is not { } inputs)
        {
            interpreted.Execute(frame);
            return;
        }
        var shape = Shapes.Broadcast(kernel.Name, inputs.Select(t => t.shape));
        var outputs = AllocateOutputs(kernel, shape, null);
        if (!TryRun(kernel, inputs, outputs, shape))
        {
            interpreted.Execute(frame);
            return;
        }
        CompiledKernelStep.CompiledRuns++;
        SetResults(frame, outputs);
    }

    /// <summary>Contiguous outputs of shape <paramref name="shape"/> (S) or ROW(S); output 0 is <paramref name="first"/> when given (in place).</summary>
    internal static Tensor[] AllocateOutputs(RowKernel kernel, long[] shape, Tensor? first)
    {
        long[] row = [.. shape[..^1], 1];
        var outputs = new Tensor[kernel.OutputCount];
        for (int m = 0; m < outputs.Length; m++)
            outputs[m] = m == 0 && first is not null ? first : Tensor.Empty(kernel.DType, kernel.RowOutputs[m] ? row : shape);
        return outputs;
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> over domain <paramref name="shape"/> into <paramref name="outputs"/> (contiguous;
    /// output 0 is input 0 for an in-place kernel, which must then be contiguous of shape S); false when the kernel cannot
    /// run it: too many leading dims after coalescing, or empty rows for amax/amin.
    /// </summary>
    internal static bool TryRun(RowKernel kernel, Tensor[] inputs, Tensor[] outputs, long[] shape)
    {
        if (shape.Length == 0) return false;
        long c = shape[^1];
        long[] outerShape = shape[..^1];
        long rows = Shapes.Numel(outerShape);
        if (c == 0 && kernel.NeedsNonEmptyRows) return false;
        if (rows == 0) return true;
        if (kernel.InPlace && !(inputs[0].IsContiguous && inputs[0].shape.AsSpan().SequenceEqual(shape))) return false;
        var strides = inputs.Select(t => CopyKernel.BroadcastStrides(t, shape, kernel.Name)).ToArray();
        var (outer, outerStrides) = RowLoop.Coalesce(outerShape, [.. strides.Select(s => s[..^1])]);
        if (outer.Length > RowKernel.MaxRank) return false;
        var layout = KernelLayout.FromInnerStrides([.. strides.Select(s => s[^1])]);
        nint entry = kernel.EntryPoint(layout);
        long[] flatStrides = [.. outerStrides.Zip(strides, (o, s) => o.Append(s[^1])).SelectMany(s => s)];
        long grain = Math.Max(1, RowGrain / Math.Max(1, c * kernel.Passes));
        Tensor[] operands = [.. inputs, .. outputs];
        CompiledKernelStep.WithPinned(operands, buffers => CpuParallel.For(rows, grain, (begin, end) => kernel.Run(entry, buffers, outer, flatStrides, c, begin, end)));
        return true;
    }
}
