using System.Text.RegularExpressions;
using Kiln.Codegen.Kernels;
using Kiln.IR;
using Kiln.IR.Ops;
using Xunit.Abstractions;

namespace Kiln.Codegen.Tests;

public sealed unsafe partial class KernelCompilerTests(ITestOutputHelper output)
{
    /// <summary><c>relu(a*b + c) * sigmoid(a)</c> over three [?n] inputs of <paramref name="dtype"/>.</summary>
    internal static Graph Chain(DType dtype = DType.Float32)
    {
        var graph = new Graph("main_fused_0");
        var type = TensorValueType.Of(dtype, Dim.Sym("n"));
        Value a = graph.AddInput("a", type), b = graph.AddInput("b", type), c = graph.AddInput("c", type);
        var g = new GraphBuilder(graph);
        var relu = g.Add("relu", [g.Add("add", [g.Add("mul", [a, b]), c])]);
        graph.SetOutputs([g.Add("mul", [relu, g.Add("sigmoid", [a])])]);
        return graph;
    }

    [Fact]
    public void Chain_ir_has_one_kernel_function_with_the_ops_in_order()
    {
        Assert.True(KernelCompiler.TryCompile(Chain(), out var kernel, out string? reason), reason);
        string ir = kernel!.LlvmIr(KernelLayout.Contiguous(3));
        output.WriteLine(ir);

        Assert.Contains("define void @kernel(ptr", ir, StringComparison.Ordinal);
        Assert.Matches(@"(?s)fmul float.*fadd float.*fcmp ugt.*llvm\.exp\.f32.*fdiv float.*store float", ir);
        Assert.Contains("declare float @llvm.exp.f32(float)", ir, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DType.Float32, "ccc", @"<(8|16) x float>", @"_ZGV[a-z]N(8|16)v_expf")]
    [InlineData(DType.Float32, "cbc", @"<(8|16) x float>", @"_ZGV[a-z]N(8|16)v_expf")]
    [InlineData(DType.Float64, "ccb", @"<(4|8) x double>", @"_ZGV[a-z]N(4|8)v_exp\(")]
    public void Fast_path_vectorises_and_calls_libmvec(DType dtype, string layout, string vector, string exp)
    {
        Assert.True(KernelCompiler.TryCompile(Chain(dtype), out var kernel, out string? reason), reason);
        var steps = new KernelLayout(layout.Select(c => c == 'c' ? InnerStep.Contiguous : InnerStep.Broadcast));

        using var module = LlvmJit.Shared.Compile(kernel!.LlvmIr(steps), ["kernel"], new LlvmCompileOptions { KeepOptimizedIr = true });

        Assert.True(steps.IsFast);
        Assert.Matches(vector, module.OptimizedIr!);
        Assert.Matches(exp, module.OptimizedIr!);
        output.WriteLine($"{dtype} {layout}: compile time {module.CompileTime.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public void Pow_by_a_constant_two_multiplies_and_other_exponents_call_pow_in_double()
    {
        var graph = new Graph("p_fused_0");
        Value x = graph.AddInput("x", TensorValueType.Of(DType.Float32, 4)), y = graph.AddInput("y", TensorValueType.Of(DType.Float32, 4));
        var g = new GraphBuilder(graph);
        var two = g.Constant(DenseConstant.Splat(TensorValueType.Of(DType.Float32), 2));
        graph.SetOutputs([g.Add("pow", [x, two]), g.Add("pow", [x, y])]);

        Assert.True(KernelCompiler.TryCompile(graph, out var kernel, out string? reason), reason);
        string ir = kernel!.LlvmIr(KernelLayout.Contiguous(2));

        Assert.Single(Regex.Matches(ir, "call double @pow"));
        Assert.Contains("fpext float", ir, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1003)]
    public void Chain_kernel_matches_a_csharp_loop_on_every_range(int n)
    {
        Assert.True(KernelCompiler.TryCompile(Chain(), out var kernel, out string? reason), reason);
        float[] a = TestKernels.RandomFloats(n, 1), b = TestKernels.RandomFloats(n, 2), c = TestKernels.RandomFloats(n, 3);
        float[] y = new float[n], expected = new float[n];
        TestKernels.ChainReference(a, b, c, expected);
        nint entry = kernel!.EntryPoint(KernelLayout.Contiguous(3));

        fixed (float* pa = a, pb = b, pc = c, py = y)
        {
            long mid = n / 3;
            kernel.Run(entry, [(nint)pa, (nint)pb, (nint)pc, (nint)py], [n], [1, 1, 1, 1], 0, mid);
            kernel.Run(entry, [(nint)pa, (nint)pb, (nint)pc, (nint)py], [n], [1, 1, 1, 1], mid, n);
        }

        for (int i = 0; i < n; i++)
            Assert.True(MathF.Abs(y[i] - expected[i]) <= 1.3e-6f * MathF.Abs(expected[i]) + 1e-5f, $"y[{i}] = {y[i]}, expected {expected[i]}");
    }

    [Theory]
    [InlineData(0, 17)]
    [InlineData(5, 6)]
    [InlineData(3, 40)]
    public void Strided_and_broadcast_inputs_are_walked_by_their_strides(long begin, long end)
    {
        // y[i, j] = a[j, i] (a transposed 5x8 → 8x5 view) + b[j] (broadcast over rows) · c (a scalar), over [8, 5].
        var graph = new Graph("g_fused_1");
        Value a = graph.AddInput("a", TensorValueType.Of(DType.Float64, 8, 5));
        Value b = graph.AddInput("b", TensorValueType.Of(DType.Float64, 5));
        Value c = graph.AddInput("c", TensorValueType.Of(DType.Float64));
        var g = new GraphBuilder(graph);
        graph.SetOutputs([g.Add("add", [a, g.Add("mul", [b, c])])]);
        Assert.True(KernelCompiler.TryCompile(graph, out var kernel, out string? reason), reason);
        double[] av = [.. Enumerable.Range(0, 40).Select(i => i * 0.5)], bv = [1, 2, 3, 4, 5], cv = [3], y = new double[40];
        var layout = KernelLayout.FromInnerStrides([8, 1, 0]);
        Assert.False(layout.IsFast);

        fixed (double* pa = av, pb = bv, pc = cv, py = y)
            kernel!.Run(kernel.EntryPoint(layout), [(nint)pa, (nint)pb, (nint)pc, (nint)py], [8, 5], [1, 8, 0, 1, 0, 0, 5, 1], begin, end);

        for (int i = 0; i < 40; i++)
            Assert.Equal(i >= begin && i < end ? av[(i % 5) * 8 + i / 5] + bv[i % 5] * 3 : 0, y[i]);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Every_elementwise_op_compiles_or_is_named_not_compilable(DType dtype)
    {
        var compiled = new List<string>();
        foreach (var op in ElementwiseOps.All)
        {
            var graph = SingleOp(op, dtype);
            bool ok = KernelCompiler.TryCompile(graph, out var kernel, out string? reason);
            if (ok) compiled.Add(op.Name);
            else Assert.StartsWith($"not compilable: {op.Name}", reason, StringComparison.Ordinal);
            Assert.Equal(KernelOps.Table.ContainsKey(op.Name), ok);
        }
        output.WriteLine($"{compiled.Count} of {ElementwiseOps.All.Count} compile: {string.Join(", ", compiled)}");
        Assert.Equal(KernelOps.Table.Count, compiled.Count);
    }

    [Fact]
    public void Non_elementwise_and_bool_ops_say_not_compilable_with_the_op()
    {
        var graph = new Graph("g_fused_2");
        Value a = graph.AddInput("a", TensorValueType.Of(DType.Float32, 4));
        var g = new GraphBuilder(graph);
        graph.SetOutputs([g.Add("isnan", [a])]);

        Assert.False(KernelCompiler.TryCompile(graph, out _, out string? reason));
        Assert.StartsWith("not compilable: isnan", reason, StringComparison.Ordinal);
    }

    /// <summary>A graph applying <paramref name="op"/> to [4]-shaped inputs (where's condition bool) with its first sample's attributes.</summary>
    internal static Graph SingleOp(OpDef op, DType dtype)
    {
        var graph = new Graph($"{op.Name}_fused_0");
        var inputs = op.Inputs.Select((name, k) => graph.AddInput(name, TensorValueType.Of(op.Name == "where" && k == 0 ? DType.Bool : dtype, 4))).ToArray();
        var attrs = op.Samples().FirstOrDefault(s => s.Inputs.Count == inputs.Length)?.Attrs ?? Attrs.Empty;
        graph.SetOutputs(new GraphBuilder(graph).AddMulti(op, inputs, attrs));
        return graph;
    }
}
