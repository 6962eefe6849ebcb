using Kiln.Codegen.Kernels;
using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Runs a fused group headed by a matrix product or convolution (<see cref="EpilogueKernel"/>): the head with its eager
/// kernel (Kiln's GEMM or convolution, as the unfused graph would), then the LLVM-compiled epilogue over the product
/// (elementwise, or a row kernel such as attention's scale, mask and softmax), writing output 0 over the product in
/// place — no second buffer, and one pass over the product however many ops the epilogue has. Whatever the kernel cannot take (autograd, other dtypes, a product that is not a fresh contiguous
/// tensor) runs the callee interpreted instead (<see cref="CallStep"/>), with the same results.
/// </summary>
internal sealed class EpilogueKernelStep : Step
{
    private readonly EpilogueKernel kernel;
    private readonly CallStep interpreted;
    private readonly int[] headInputs;

    internal EpilogueKernelStep(Node node, EpilogueKernel kernel, CallStep interpreted)
        : base(node)
    {
        this.kernel = kernel;
        this.interpreted = interpreted;
        headInputs = [.. kernel.HeadInputs];
    }

    /// <summary>The compiled group: its head and epilogue.</summary>
    internal EpilogueKernel Kernel => kernel;

    internal override void Execute(Frame frame)
    {
        var values = new object?[Operands.Length];
        for (int k = 0; k < values.Length; k++) values[k] = Operand(frame, k);
        if (CompiledKernelStep.KernelInputs(values, Node.Callee!, (_, _) => true) is not { } inputs)
        {
            interpreted.Execute(frame);
            return;
        }
        var head = kernel.Head;
        var product = OpDispatch.Call(head.Op!.Name, [.. headInputs.Select(k => inputs[k])], head.Attrs)[0];
        Tensor[] operands = [product, .. kernel.EpilogueInputs.Select(k => inputs[k])];
        var outputs = !OwnsContiguous(product, inputs) ? null
            : kernel.RowEpilogue is { } rows ? RunRows(rows, product, operands)
            : RunElementwise(kernel.Epilogue!, product, operands);
        if (outputs is null)
        {
            interpreted.Execute(frame);
            return;
        }
        CompiledKernelStep.CompiledRuns++;
        SetResults(frame, outputs);
    }

    /// <summary>The outputs of the elementwise epilogue run over <paramref name="product"/> in place, or null when it cannot run.</summary>
    private static Tensor[]? RunElementwise(CompiledKernel epilogue, Tensor product, Tensor[] operands)
    {
        if (!Takes(epilogue.Name, epilogue.InputDTypes, product, operands)) return null;
        var outputs = new Tensor[epilogue.OutputCount];
        outputs[0] = product;
        for (int m = 1; m < outputs.Length; m++) outputs[m] = Tensor.Empty(epilogue.DType, product.shape);
        return CompiledKernelStep.TryRun(epilogue, operands, outputs, product.shape) ? outputs : null;
    }

    /// <summary>The outputs of the row epilogue run over <paramref name="product"/> (the domain S) in place, or null when it cannot run.</summary>
    private static Tensor[]? RunRows(RowKernel epilogue, Tensor product, Tensor[] operands)
    {
        if (!Takes(epilogue.Name, epilogue.InputDTypes, product, operands)) return null;
        var outputs = RowKernelStep.AllocateOutputs(epilogue, product.shape, product);
        return RowKernelStep.TryRun(epilogue, operands, outputs, product.shape) ? outputs : null;
    }

    /// <summary>Whether the operands have the epilogue's dtypes and broadcast to the product's shape.</summary>
    private static bool Takes(string name, IReadOnlyList<DType> dtypes, Tensor product, Tensor[] operands) =>
        !operands.Where((t, k) => t.DType != dtypes[k]).Any()
        && Shapes.Broadcast(name, operands.Select(t => t.shape)).AsSpan().SequenceEqual(product.shape);

    /// <summary>Whether <paramref name="product"/> is contiguous and shares no storage with the inputs, so the epilogue may overwrite it.</summary>
    private static bool OwnsContiguous(Tensor product, Tensor[] inputs) =>
        product.IsContiguous && inputs.All(t => !ReferenceEquals(t.storage, product.storage));
}
