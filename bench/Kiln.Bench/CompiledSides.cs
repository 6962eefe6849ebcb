using Kiln.Codegen.Kernels;
using Kiln.Graphs;
using Kiln.IR;

namespace Kiln.Bench;

/// <summary>
/// Kiln sides that run a graph whose elementwise ops form one fused group (a call of a <c>main_fused_0</c> callee, as
/// the fusion pass writes it), so the executor runs the group as one LLVM-compiled kernel.
/// </summary>
internal static class CompiledSides
{
    /// <summary>relu(a*b + c) * sigmoid(a) as one compiled kernel.</summary>
    /// <exception cref="InvalidOperationException">The group does not compile (no libLLVM, or an op the generator lacks).</exception>
    public static Side ReluSigmoidChain(float[] a, float[] b, float[] c)
    {
        var callee = new IR.Graph("main_fused_0");
        var type = TensorValueType.Of(DType.Float32, Dim.Sym("n"));
        Value xa = callee.AddInput("a", type), xb = callee.AddInput("b", type), xc = callee.AddInput("c", type);
        var g = new GraphBuilder(callee);
        var relu = g.Add("relu", [g.Add("add", [g.Add("mul", [xa, xb]), xc])]);
        callee.SetOutputs([g.Add("mul", [relu, g.Add("sigmoid", [xa])])]);
        if (!KernelCompiler.TryCompile(callee, out _, out string? reason))
            throw new InvalidOperationException($"the chain's fused group does not compile: {reason}");

        var main = new IR.Graph("main");
        Value[] inputs = [main.AddInput("a", type), main.AddInput("b", type), main.AddInput("c", type)];
        main.SetOutputs(new GraphBuilder(main).Call(callee, inputs));
        var executor = new GraphExecutor(main);
        Tensor ta = Tensor.FromArray(a, a.Length), tb = Tensor.FromArray(b, b.Length), tc = Tensor.FromArray(c, c.Length);
        Tensor Compute() => (Tensor)executor.Run(ta, tb, tc)[0]!;

        int before = CompiledKernelStep.CompiledRuns;
        Compute();
        if (CompiledKernelStep.CompiledRuns == before)
            throw new InvalidOperationException("the chain's fused group ran interpreted, not as its compiled kernel");
        return new(() => Compute(), () => Compute().ToArray<float>());
    }
}
