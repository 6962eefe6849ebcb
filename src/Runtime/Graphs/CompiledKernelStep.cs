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
    /// installed), else the interpreted call.
    /// </summary>
    internal static Step Create(Node node, GraphPlan callee)
    {
        var call = new CallStep(node, callee);
        var graph = node.Callee!;
        return graph.Name.Contains("_fused_", StringComparison.Ordinal) && KernelCompiler.TryCompile(graph, out var kernel, out _)
            ? new CompiledKernelStep(node, kernel!, call)
            : call;
    }

    internal override void Execute(Frame frame)
    {
        var inputs = new Tensor[Operands.Length];
        for (int k = 0; k < inputs.Length; k++)
        {
            if (Operand(frame, k) is not Tensor t || t.DType != kernel.InputDTypes[k])
            {
                interpreted.Execute(frame);
                return;
            }
            inputs[k] = t;
        }
        // Autograd: a kernel records nothing, so when an input requires grad (with grad mode on) or a tracer records, the
        // callee runs op by op, and each op records itself as in eager mode.
        if (GradRecorder.IsNeeded(inputs))
        {
            interpreted.Execute(frame);
            return;
        }
        var binder = new ValueBinder();
        var parameters = Node.Callee!.Body.Params;
        for (int k = 0; k < inputs.Length; k++)
            binder.Bind(inputs[k], parameters[k].Type, $"argument {k} of @{kernel.Name}");
        var shape = Shapes.Broadcast(kernel.Name, inputs.Select(t => t.shape));
        var outputs = new Tensor[kernel.OutputCount];
        for (int m = 0; m < outputs.Length; m++) outputs[m] = Tensor.Empty(kernel.DType, shape);
        if (!TryRun(inputs, outputs, shape))
        {
            interpreted.Execute(frame);
            return;
        }
        CompiledRuns++;
        SetResults(frame, outputs);
    }

    /// <summary>Runs the kernel into <paramref name="outputs"/>; false when the coalesced shape has too many dims.</summary>
    private bool TryRun(Tensor[] inputs, Tensor[] outputs, long[] shape)
    {
        long numel = Shapes.Numel(shape);
        if (numel == 0) return true;
        var operands = inputs.Concat(outputs).ToArray();
        var (walk, strides) = RowLoop.Coalesce(shape, [.. inputs.Select(t => CopyKernel.BroadcastStrides(t, shape, kernel.Name)), .. outputs.Select(o => o.strides)]);
        if (walk.Length > CompiledKernel.MaxRank) return false;
        var layout = KernelLayout.FromInnerStrides([.. strides.Take(inputs.Length).Select(s => s[^1])]);
        nint entry = kernel.EntryPoint(layout);
        long[] flatStrides = [.. strides.SelectMany(s => s)];
        var handles = new GCHandle[operands.Length];
        try
        {
            var buffers = new nint[operands.Length];
            for (int k = 0; k < operands.Length; k++)
            {
                handles[k] = GCHandle.Alloc(operands[k].storage.Bytes, GCHandleType.Pinned);
                buffers[k] = handles[k].AddrOfPinnedObject() + (nint)(operands[k].offset * operands[k].DType.ElementSize());
            }
            CpuParallel.For(numel, CpuParallel.ElementwiseGrain, (begin, end) => kernel.Run(entry, buffers, walk, flatStrides, begin, end));
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated) handle.Free();
            }
        }
        return true;
    }
}
