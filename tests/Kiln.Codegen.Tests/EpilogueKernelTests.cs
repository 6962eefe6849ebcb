using Kiln.Codegen.Kernels;
using Kiln.IR;
using Kiln.Testing;
using Xunit.Abstractions;

namespace Kiln.Codegen.Tests;

/// <summary>
/// Epilogue groups (a callee whose first node is a matrix product and whose other nodes are elementwise ops over its
/// result): the split into head and epilogue, the in-place kernel (output 0 stored through input 0's pointer, so LLVM
/// vectorises with no overlap check) and the reasons a group is not compilable.
/// </summary>
public sealed class EpilogueKernelTests(ITestOutputHelper output)
{
    /// <summary><c>relu(matmul(x, w) + bias)</c> with x [?n, 16], w [16, 8], bias [8]; with <paramref name="bias"/> false, <c>relu(matmul(x, w))</c>.</summary>
    private static Graph Layer(bool bias = true, bool returnProduct = false)
    {
        var graph = new Graph("layer_fused_0");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, Dim.Sym("n"), Dim.Of(16)));
        var w = graph.AddInput("w", TensorValueType.Of(DType.Float32, 16, 8));
        var g = new GraphBuilder(graph);
        var product = g.Add("matmul", [x, w]);
        var sum = bias ? g.Add("add", [product, graph.AddInput("bias", TensorValueType.Of(DType.Float32, 8))]) : product;
        var relu = g.Add("relu", [sum]);
        graph.SetOutputs(returnProduct ? [relu, product] : [relu]);
        return graph;
    }

    [Fact]
    public void A_group_headed_by_a_matrix_product_is_an_epilogue_group_and_compilable()
    {
        Assert.True(EpilogueKernel.IsHeaded(Layer()));
        Assert.False(EpilogueKernel.IsHeaded(KernelCompilerTests.Chain()));
        Assert.Null(KernelCompiler.WhyNotCompilable(Layer()));
    }

    [LlvmFact]
    public void Epilogue_splits_off_the_matrix_product_and_maps_the_inputs()
    {
        Assert.True(KernelCompiler.TryCompileEpilogue(Layer(), out var kernel, out string? reason), reason);
        Assert.Equal("matmul", kernel!.Head.Op!.Name);
        Assert.Equal([0, 1], kernel.HeadInputs);
        Assert.Equal([2], kernel.EpilogueInputs);
        Assert.True(kernel.Epilogue!.InPlace);
        Assert.Equal(1, kernel.Epilogue.OutputCount);
        Assert.True(KernelCompiler.TryCompileGroup(Layer(), out reason), reason);
    }

    [LlvmFact]
    public void In_place_epilogue_vectorises_without_an_overlap_check()
    {
        Assert.True(KernelCompiler.TryCompileEpilogue(Layer(bias: false), out var kernel, out string? reason), reason);
        string ir = kernel!.Epilogue!.LlvmIr(KernelLayout.Contiguous(1));
        Assert.Contains("output 0 in place of input 0", ir, StringComparison.Ordinal);
        using var module = LlvmJit.Shared.Compile(ir, ["kernel"], new LlvmCompileOptions { KeepOptimizedIr = true });
        output.WriteLine(module.OptimizedIr);
        Assert.Matches(@"<(8|16) x float>", module.OptimizedIr!);
        Assert.DoesNotContain("memcheck", module.OptimizedIr!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_returning_its_product_is_not_compilable_and_says_why()
    {
        string? why = KernelCompiler.WhyNotCompilable(Layer(returnProduct: true));
        Assert.NotNull(why);
        Assert.Contains("returns matmul's result", why, StringComparison.Ordinal);
        Assert.False(KernelCompiler.TryCompileGroup(Layer(returnProduct: true), out string? reason));
        Assert.Equal(why, reason);
    }
}
