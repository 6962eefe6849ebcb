using System.Runtime.InteropServices;
using Kiln.Codegen.Kernels;
using Kiln.IR;
using Kiln.Kernels;

namespace Kiln.Graphs;

/// <summary>
/// Runs a fused elementwise group (a call of a <c>&lt;graph&gt;_fused_&lt;k&gt;</c> callee) with its LLVM-compiled
/// kernel: allocates the outputs at the inputs' broadcast shape, passes the inputs' storage in place (pinned, with their
/// strides: broadcast and non-contiguous inputs are walked, not copied) and splits large outputs over the CPU threads.
/// Whatever the kernel cannot take runs the callee interpreted instead (<see cref="CallStep"/>), with the same results.
/// </summary>
internal sealed class CompiledKernelStep : Step
{
    private readonly CompiledKernel kernel;
    private readonly CallStep interpreted;

    private CompiledKernelStep(Node node, CompiledKernel kernel, CallStep interpreted)
        : base(node)
    {
        this.kernel = kernel;
        this.interpreted = interpreted;
    }

    /// <summary>How many calls this thread has run through compiled kernels (a test hook: which path ran).</summary>
    [ThreadStatic]
    internal static int CompiledRuns;

    /// <summary>
    /// The step for call <paramref name="node"/>: compiled when its callee is a fused group that LLVM compiles (and LLVM is
    /// installed; a group headed by a matrix product runs as an <see cref="EpilogueKernelStep"/>, a group with row
    /// reductions as a <see cref="RowKernelStep"/>), else the interpreted call.
    /// </summary>
    internal static Step Create(Node node, GraphPlan callee)
    {
        var call = new CallStep(node, callee);
        var graph = node.Callee!;
        if (!graph.Name.Contains("_fused_", StringComparison.Ordinal)) return call;
        if (EpilogueKernel.IsHeaded(graph))
            return KernelCompiler.TryCompileEpilogue(graph, out var epilogue, out _) ? new EpilogueKernelStep(node, epilogue!, call) : call;
        if (KernelCompiler.IsRowGroup(graph))
            return KernelCompiler.TryCompileRows(graph, out var rows, out _) ? new RowKernelStep(node, rows!, call) : call;
        return KernelCompiler.TryCompile(graph, out var kernel, out _) ? new CompiledKernelStep(node, kernel!, call) : call;
    }

    /// <summary>
    /// The call's operands as tensors checked against the callee's parameter types, or null when the callee must run op by
    /// op instead: an operand is not a tensor <paramref name="accept"/> takes, or autograd must record.
    /// </summary>
    internal static Tensor[]? KernelInputs(object?[] operands, Graph callee, Func<Tensor, int, bool> accept)
    {
        var inputs = new Tensor[operands.Length];
        for (int k = 0; k < inputs.Length; k++)
        {
            if (operands[k] is not Tensor t || !accept(t, k)) return null;
            inputs[k] = t;
        }
        // Autograd: a kernel records nothing, so when an input requires grad (with grad mode on) or a tracer records, the
        // callee runs op by op, and each op records itself as in eager mode.
        if (GradRecorder.IsNeeded(inputs)) return null;
        var binder = new ValueBinder();
        var parameters = callee.Body.Params;
        for (int k = 0; k < inputs.Length; k++)
            binder.Bind(inputs[k], parameters[k].Type, $"argument {k} of @{callee.Name}");
        return inputs;
    }

    internal override void Execute(Frame frame)
    {
        var operands = new object?[Operands.Length];
        for (int k = 0; k < operands.Length; k++) operands[k] = Operand(frame, k);
        if (KernelInputs(operands, Node.Callee!, (t, k) => t.DType == kernel.InputDTypes[k]) is not { } inputs)
        {
            interpreted.Execute(frame);
            return;
        }
        var shape = Shapes.Broadcast(kernel.Name, inputs.Select(t => t.shape));
        var outputs = new Tensor[kernel.OutputCount];
        for (int m = 0; m < outputs.Length; m++) outputs[m] = Tensor.Empty(kernel.DType, shape);
        if (!TryRun(kernel, inputs, outputs, shape))
        {
            interpreted.Execute(frame);
            return;
        }
        CompiledRuns++;
        SetResults(frame, outputs);
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> into <paramref name="outputs"/> (contiguous; output 0 is input 0 for an in-place
    /// kernel); false when the coalesced shape has too many dims or an in-place input is not contiguous along it.
    /// </summary>
    internal static bool TryRun(CompiledKernel kernel, Tensor[] inputs, Tensor[] outputs, long[] shape)
    {
        long numel = Shapes.Numel(shape);
        if (numel == 0) return true;
        var operands = inputs.Concat(outputs).ToArray();
        var (walk, strides) = RowLoop.Coalesce(shape, [.. inputs.Select(t => CopyKernel.BroadcastStrides(t, shape, kernel.Name)), .. outputs.Select(o => o.strides)]);
        if (walk.Length > CompiledKernel.MaxRank) return false;
        var layout = KernelLayout.FromInnerStrides([.. strides.Take(inputs.Length).Select(s => s[^1])]);
        if (kernel.InPlace && strides[0][^1] != 1) return false;
        nint entry = kernel.EntryPoint(layout);
        long[] flatStrides = [.. strides.SelectMany(s => s)];
        WithPinned(operands, buffers => CpuParallel.For(numel, CpuParallel.ElementwiseGrain, (begin, end) => kernel.Run(entry, buffers, walk, flatStrides, begin, end)));
        return true;
    }

    /// <summary>Runs <paramref name="body"/> with the address of element 0 of each operand, their storage pinned meanwhile.</summary>
    internal static void WithPinned(Tensor[] operands, Action<nint[]> body)
    {
        var handles = new GCHandle[operands.Length];
        try
        {
            var buffers = new nint[operands.Length];
            for (int k = 0; k < operands.Length; k++)
            {
                handles[k] = GCHandle.Alloc(operands[k].storage.Bytes, GCHandleType.Pinned);
                buffers[k] = handles[k].AddrOfPinnedObject() + (nint)(operands[k].offset * operands[k].DType.ElementSize());
            }
            body(buffers);
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated) handle.Free();
            }
        }
    }
}
