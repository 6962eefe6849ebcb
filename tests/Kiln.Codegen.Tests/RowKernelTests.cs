using System.Text.RegularExpressions;
using Kiln.Codegen.Kernels;
using Kiln.IR;
using Kiln.Testing;
using Xunit.Abstractions;
using static Kiln.Testing.RowGroupGraphs;

namespace Kiln.Codegen.Tests;

/// <summary>
/// Row groups (elementwise ops and last-dim reductions, as softmax, log_softmax and layer norm decompose): the source
/// check and its reasons, the emitted IR (one loop per reduction, then the output loop; reassociable sums and
/// NaN-propagating extrema), vectorisation, and the compiled kernel against C# loops on every row range.
/// </summary>
public sealed unsafe class RowKernelTests(ITestOutputHelper output)
{
    [Fact]
    public void Softmax_and_layer_norm_are_row_groups_and_say_why_not_elementwise()
    {
        Assert.True(KernelCompiler.IsRowGroup(Softmax()));
        Assert.False(KernelCompiler.IsRowGroup(KernelCompilerTests.Chain()));
        Assert.Null(KernelCompiler.WhyNotCompilable(Softmax()));
        Assert.Null(KernelCompiler.WhyNotCompilable(Softmax(DType.Float64, 13, log: true)));
        Assert.Null(KernelCompiler.WhyNotCompilable(LayerNorm(DType.Float32, 128)));
        Assert.False(KernelCompiler.TryCompile(Softmax(), out _, out string? reason));
        Assert.StartsWith("not compilable: amax (reduction op)", reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> NotRowGroups() => new()
    {
        { "dim0", "sum over dims [0] (a row kernel reduces only the last dim)" },
        { "two_dims", "sum over dims [0, 1]" },
        { "no_keepdim", "sum without keepdim" },
        { "other_domain", "reduces" },
        { "partial_output", "not of the row group's shape" },
        { "int", "dtype int64" },
    };

    [Theory]
    [MemberData(nameof(NotRowGroups))]
    public void Groups_outside_the_contract_are_not_compilable_and_say_why(string kind, string why)
    {
        var graph = new Graph("odd_fused_0");
        var dtype = kind == "int" ? DType.Int64 : DType.Float32;
        var x = graph.AddInput("x", TensorValueType.Of(dtype, 4, 6));
        var g = new GraphBuilder(graph);
        graph.SetOutputs([kind switch
        {
            "dim0" => g.Add("add", [x, g.Add("sum", [x], Along(0))]),
            "two_dims" => g.Add("add", [x, g.Add("sum", [x], new Attrs { { "dim", new long[] { 0, 1 } }, { "keepdim", true } })]),
            "no_keepdim" => g.Add("sum", [x], Along(-1, keepdim: false)),
            "other_domain" => g.Add("sum", [g.Add("sum", [x], Along())], Along()),
            "partial_output" => g.Add("add", [g.Add("sub", [x, g.Add("amax", [x], Along())]), g.Add("exp", [graph.AddInput("y", TensorValueType.Of(dtype, 6))])]),
            _ => g.Add("sum", [x], Along()),
        }]);

        string? reason = KernelCompiler.WhyNotCompilable(graph);

        Assert.NotNull(reason);
        Assert.StartsWith("not compilable: ", reason, StringComparison.Ordinal);
        Assert.Contains(why, reason, StringComparison.Ordinal);
        Assert.False(KernelCompiler.TryCompileGroup(graph, out string? again));
        Assert.Equal(reason, again);
    }

    [Fact]
    public void Softmax_ir_has_a_loop_per_reduction_then_the_output_loop_and_computes_exp_once()
    {
        var source = RowKernelSource.Check(Softmax(), out string? reason);
        Assert.True(source is not null, reason);
        string ir = RowKernelEmitter.Emit(source, KernelLayout.Contiguous(1));
        output.WriteLine(ir);

        Assert.Contains("define void @kernel(ptr", ir, StringComparison.Ordinal);
        // The sum's loop keeps exp(x - max) in the output's row; the output loop reads it back and divides.
        Assert.Matches(@"(?s)^; Kiln row kernel.*\np0:.*llvm\.maximum\.f32.*\np1:.*llvm\.exp\.f32.*ptr %orow0, i64 %j1.*store float.*fadd reassoc float.*\nfinal:.*load float.*fdiv float.*store float", ir);
        Assert.Single(Regex.Matches(ir, @"call float @llvm\.exp\.f32"));
    }

    [Fact]
    public void Layer_norm_ir_divides_the_means_and_reads_broadcast_inputs_once_per_row()
    {
        var source = RowKernelSource.Check(LayerNorm(DType.Float64, 8), out string? reason);
        Assert.True(source is not null, reason);
        string ir = RowKernelEmitter.Emit(source, KernelLayout.FromInnerStrides([1, 0, 1]));

        Assert.Equal(2, Regex.Matches(ir, @"fdiv double %red\d+, %cfloat").Count);
        Assert.Matches(@"(?s)\nrowstart:.*load double, ptr %row1, align 8.*\np0:", ir);
        Assert.Matches(@"(?s)\nfinal:.*getelementptr inbounds double, ptr %row2, i64 %jf", ir);
    }

    [LlvmFact]
    public void Reduction_loops_vectorise()
    {
        foreach (var (graph, name) in new[] { (Softmax(), "softmax"), (LayerNorm(DType.Float32, 128), "layer norm") })
        {
            Assert.True(KernelCompiler.TryCompileRows(graph, out var kernel, out string? reason), reason);
            using var module = LlvmJit.Shared.Compile(kernel!.LlvmIr(KernelLayout.Contiguous(graph.Inputs.Count)), ["kernel"], new LlvmCompileOptions { KeepOptimizedIr = true });
            string ir = module.OptimizedIr!;
            output.WriteLine($"{name}: {module.CompileTime.TotalMilliseconds:F1} ms\n{ir}");
            Assert.Matches(@"llvm\.vector\.reduce\.fadd\.v(8|16)f32", ir);
            if (name == "softmax")
            {
                Assert.Matches(@"llvm\.vector\.reduce\.fmaximum\.v(8|16)f32|llvm\.maximum\.v(8|16)f32", ir);
                Assert.Matches(@"_ZGV[a-z]N(8|16)v_expf", ir);
            }
        }
    }

    [LlvmFact]
    public void Softmax_kernel_matches_a_csharp_loop_on_every_row_range()
    {
        Assert.True(KernelCompiler.TryCompileRows(Softmax(), out var kernel, out string? reason), reason);
        nint entry = kernel!.EntryPoint(KernelLayout.Contiguous(1));
        foreach (int c in new[] { 1, 3, 13, 100 })
        {
            const int Rows = 7;
            float[] x = TestKernels.RandomFloats(Rows * c, c), y = new float[Rows * c];
            if (c > 1) x[0] = float.NegativeInfinity; // one -inf entry: its probability is 0
            fixed (float* px = x, py = y)
            {
                kernel.Run(entry, [(nint)px, (nint)py], [Rows], [c, 1], c, 0, 3);
                kernel.Run(entry, [(nint)px, (nint)py], [Rows], [c, 1], c, 3, Rows);
            }
            for (int r = 0; r < Rows; r++)
            {
                var row = x.AsSpan(r * c, c);
                float max = float.NegativeInfinity, sum = 0;
                foreach (float v in row) max = MathF.Max(max, v);
                foreach (float v in row) sum += MathF.Exp(v - max);
                for (int j = 0; j < c; j++)
                {
                    float expected = MathF.Exp(row[j] - max) / sum, actual = y[r * c + j];
                    Assert.True(MathF.Abs(actual - expected) <= 1e-5f * MathF.Abs(expected) + 1e-7f, $"c {c}, row {r}, [{j}]: {actual}, expected {expected}");
                }
            }
        }
    }

    [LlvmFact]
    public void Row_kernels_go_into_the_ahead_of_time_library_and_are_served_from_it()
    {
        // log_softmax over 29 float64 values: a variant no other test compiles, so only the library can serve it.
        var graph = Softmax(DType.Float64, 29, log: true);
        var library = KernelLibraryBuilder.Build([graph, KernelCompilerTests.Chain()], LlvmTarget.Host);
        Assert.NotNull(library);
        var rows = library.Symbols.Where(s => s.Callee == graph.Name).ToArray();
        Assert.Equal(["b", "c", "s"], rows.Select(s => s.Layout).Order());
        string folder = Directory.CreateTempSubdirectory("kiln-rowlib-").FullName;
        try
        {
            string path = Path.Combine(folder, "kernels.so");
            File.WriteAllBytes(path, library.Library);
            nint handle = System.Runtime.InteropServices.NativeLibrary.Load(path);
            foreach (var symbol in rows) PrecompiledKernels.Register(symbol.IrSha256, System.Runtime.InteropServices.NativeLibrary.GetExport(handle, symbol.Symbol));
            long served = PrecompiledKernels.Served, compilations = KernelCompiler.Compilations;

            Assert.True(KernelCompiler.TryCompileRows(graph, out var kernel, out string? reason), reason);
            nint entry = kernel!.EntryPoint(KernelLayout.FromInnerStrides([3]));

            Assert.True(PrecompiledKernels.Served >= served + 2, "the contiguous and strided variants came from the library");
            Assert.Equal(compilations, KernelCompiler.Compilations);
            double[] x = [.. Enumerable.Range(0, 2 * 29 * 3).Select(i => Math.Sin(i) * 4)], y = new double[2 * 29];
            fixed (double* px = x, py = y)
                kernel.Run(entry, [(nint)px, (nint)py], [2], [29 * 3, 3], 29, 0, 2);
            for (int r = 0; r < 2; r++)
            {
                double[] row = [.. Enumerable.Range(0, 29).Select(j => x[r * 87 + j * 3])];
                double log = Math.Log(row.Sum(v => Math.Exp(v - row.Max()))) + row.Max();
                for (int j = 0; j < 29; j++) Assert.Equal(row[j] - log, y[r * 29 + j], 12);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Run_rejects_spans_that_do_not_fit_the_kernel()
    {
        var source = RowKernelSource.Check(Softmax(), out _)!;
        var kernel = new RowKernel(source, KernelLayout.Contiguous(1), 1);
        var error = Assert.Throws<ArgumentException>(() => kernel.Run(1, [1, 2], [4], [1], 3, 0, 4));
        Assert.Contains("row kernel softmax_fused_0", error.Message, StringComparison.Ordinal);
        Assert.Equal([false], kernel.RowOutputs);
        Assert.True(kernel.NeedsNonEmptyRows);
        Assert.Equal(2, kernel.Passes);
    }
}
