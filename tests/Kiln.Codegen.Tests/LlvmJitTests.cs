using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kiln.Codegen.Tests;

public sealed unsafe partial class LlvmJitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1003)]
    public void Jitted_chain_matches_a_csharp_loop(int n)
    {
        using var module = LlvmJit.Shared.Compile(TestKernels.Chain, ["chain"]);
        var chain = (delegate* unmanaged<float*, float*, float*, float*, long, void>)module.GetFunctionPointer("chain");
        float[] a = TestKernels.RandomFloats(n, 1), b = TestKernels.RandomFloats(n, 2), c = TestKernels.RandomFloats(n, 3);
        float[] y = new float[n], expected = new float[n];
        TestKernels.ChainReference(a, b, c, expected);

        fixed (float* pa = a, pb = b, pc = c, py = y)
            chain(pa, pb, pc, py, n);

        for (int i = 0; i < n; i++)
            Assert.True(MathF.Abs(y[i] - expected[i]) <= 1e-6f * MathF.Max(1f, MathF.Abs(expected[i])), $"y[{i}] = {y[i]}, expected {expected[i]}");
    }

    [Fact]
    public void Optimised_chain_is_vectorised_for_the_host_cpu()
    {
        using var module = LlvmJit.Shared.Compile(TestKernels.Chain, ["chain"], new LlvmCompileOptions { KeepOptimizedIr = true });

        // A baseline x86-64 target machine vectorises at SSE width (<4 x float>); the host's AVX2/AVX-512 gives 8 or 16 lanes.
        Assert.Matches(WideFloatVector(), module.OptimizedIr!);
        output.WriteLine($"host {LlvmJit.Shared.Target}; vector types: {string.Join(", ", FloatVectors().Matches(module.OptimizedIr!).Select(m => m.Value).Distinct())}");
        output.WriteLine($"chain compile time: {Describe(module.Times)}");
        Assert.Equal(module.Times.Total, module.CompileTime);
    }

    [Fact]
    public void Vectorised_exp_calls_glibcs_vector_math_library()
    {
        using var module = LlvmJit.Shared.Compile(TestKernels.Chain, ["chain"], new LlvmCompileOptions { KeepOptimizedIr = true });

        // Debian's libc6 ships libmvec; without it the vectorised loop would call scalar expf once per lane.
        Assert.Equal("libmvec.so.1", Llvm.VectorMathLibrary);
        Assert.Matches(LibmvecExp(), module.OptimizedIr!);
    }

    [Fact]
    public void Compile_time_of_the_chain_is_measured_warm()
    {
        var times = new List<LlvmCompileTimes>();
        for (int i = 0; i < 5; i++)
        {
            using var module = LlvmJit.Shared.Compile(TestKernels.Chain, ["chain"]);
            times.Add(module.Times);
        }
        foreach (var t in times)
            output.WriteLine(Describe(t));
        Assert.All(times, t => Assert.True(t.Total > TimeSpan.Zero));
    }

    [Fact]
    public void Invalid_ir_throws_with_the_module_name_and_llvms_message()
    {
        var options = new LlvmCompileOptions { ModuleName = "broken" };
        var syntax = Assert.Throws<LlvmException>(() => LlvmJit.Shared.Compile("define void @f() {\n  retrun void\n}\n", ["f"], options));
        Assert.Contains("module 'broken' is not valid LLVM IR", syntax.Message, StringComparison.Ordinal);
        Assert.Contains("expected instruction opcode", syntax.LlvmMessage, StringComparison.Ordinal);

        const string UseBeforeDefinition = "define i32 @f() {\n  %a = add i32 %b, 1\n  %b = add i32 1, 1\n  ret i32 %a\n}\n";
        var verify = Assert.Throws<LlvmException>(() => LlvmJit.Shared.Compile(UseBeforeDefinition, ["f"], options));
        Assert.Contains("module 'broken' does not verify", verify.Message, StringComparison.Ordinal);
        Assert.Contains("Instruction does not dominate all uses", verify.LlvmMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_symbol_names_the_symbol_and_the_functions_the_module_defines()
    {
        var error = Assert.Throws<LlvmException>(() => LlvmJit.Shared.Compile(TestKernels.Chain, ["chian"]));

        Assert.Contains("does not define function 'chian' (it defines: chain)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolved_external_function_fails_with_llvms_message()
    {
        const string Ir = "declare void @kiln_no_such_function()\n\ndefine void @f() {\n  call void @kiln_no_such_function()\n  ret void\n}\n";

        var error = Assert.Throws<LlvmException>(() => LlvmJit.Shared.Compile(Ir, ["f"]));

        Assert.Contains("JIT compiling function 'f' of module 'kiln_module' failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Symbols not found: [ kiln_no_such_function ]", error.LlvmMessage, StringComparison.Ordinal);
        output.WriteLine(error.Message);
    }

    [Fact]
    public void Bad_pass_pipeline_names_the_pipeline()
    {
        var options = new LlvmCompileOptions { PassPipeline = "default<O7>" };

        var error = Assert.Throws<LlvmException>(() => LlvmJit.Shared.Compile(TestKernels.Chain, ["chain"], options));

        Assert.Contains("with 'default<O7>' failed", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(error.LlvmMessage);
    }

    [Fact]
    public void Modules_defining_the_same_names_do_not_collide()
    {
        using var one = LlvmJit.Shared.Compile(TestKernels.Constant(1), ["kernel"]);
        using var two = LlvmJit.Shared.Compile(TestKernels.Constant(2), ["kernel"]);

        Assert.Equal(1, ((delegate* unmanaged<int>)one.GetFunctionPointer("kernel"))());
        Assert.Equal(2, ((delegate* unmanaged<int>)two.GetFunctionPointer("kernel"))());
        Assert.Equal(["kernel"], one.Symbols);
    }

    [Fact]
    public void Concurrent_compilations_all_succeed()
    {
        var results = new int[8];
        var chains = new nint[16];

        // Vectorised loops give the code generator enough to do that unsynchronised lookups crashed the process
        // ("Emitting values inside a locked bundle is forbidden"); the tiny constant modules never did.
        Parallel.For(0, results.Length + chains.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (i < results.Length)
            {
                using var module = LlvmJit.Shared.Compile(TestKernels.Constant(100 + i), ["kernel"]);
                results[i] = ((delegate* unmanaged<int>)module.GetFunctionPointer("kernel"))();
            }
            else
            {
                using var module = LlvmJit.Shared.Compile(TestKernels.Chain, ["chain"]);
                chains[i - results.Length] = module.GetFunctionPointer("chain");
            }
        });

        Assert.Equal(Enumerable.Range(100, results.Length), results);
        Assert.All(chains, p => Assert.NotEqual(0, p));
    }

    [Fact]
    public void Function_pointers_are_refused_for_unexported_names_and_after_dispose()
    {
        var module = LlvmJit.Shared.Compile(TestKernels.Constant(3), ["kernel"]);
        var unexported = Assert.Throws<ArgumentException>(() => module.GetFunctionPointer("helper"));
        Assert.Contains("exports no function 'helper' (it exports: kernel)", unexported.Message, StringComparison.Ordinal);

        module.Dispose();
        module.Dispose();

        Assert.Throws<ObjectDisposedException>(() => module.GetFunctionPointer("kernel"));
    }

    private static string Describe(LlvmCompileTimes t) =>
        $"total {t.Total.TotalMilliseconds:F2} ms (parse {t.Parse.TotalMilliseconds:F2}, optimise {t.Optimize.TotalMilliseconds:F2}, codegen {t.CodeGen.TotalMilliseconds:F2})";

    [GeneratedRegex(@"<(8|16) x float>")]
    private static partial Regex WideFloatVector();

    [GeneratedRegex(@"call .*<(8|16) x float> @_ZGV[a-z]N(8|16)v_expf\(")]
    private static partial Regex LibmvecExp();

    [GeneratedRegex(@"<\d+ x float>")]
    private static partial Regex FloatVectors();
}
