using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.Graphs;
using Kiln.IR;
using Kiln.Testing;
using static Kiln.Testing.RowGroupGraphs;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// Fused row groups (softmax, log_softmax and layer norm as decompose writes them, and attention scores headed by a bmm)
/// run as LLVM-compiled row kernels (<see cref="RowKernelStep"/>, <see cref="EpilogueKernelStep"/>) and compute what the
/// interpreted callee computes: float32 and float64, rows 0 and 1, rows whose length is not a multiple of the vector width,
/// symbolic batch sizes, transposed, strided and broadcast inputs, NaN and -inf, ROW(S)-shaped outputs; and they fall back
/// to the interpreter where the kernel cannot run (autograd, empty rows for amax).
/// </summary>
public sealed class RowKernelStepTests
{
    private static readonly Tolerance Float32 = new(1e-5, 1e-5);

    [LlvmFact]
    public void Softmax_log_softmax_and_layer_norm_match_the_interpreter()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            foreach (long c in new long[] { 1, 3, 13, 100 })
            {
                foreach (long rows in new long[] { 0, 1, 7 })
                {
                    Kiln.Random.ManualSeed(c * 10 + rows);
                    var x = Tensor.Randn([rows, c], dtype).Mul(3.0);
                    string what = $"{dtype.Name()} [{rows}, {c}]";
                    AssertMatches(Softmax(dtype, c, log: false), [x], "softmax " + what);
                    AssertMatches(Softmax(dtype, c, log: true), [x], "log_softmax " + what);
                    AssertMatches(LayerNorm(dtype, c), [x, Tensor.Randn([c], dtype), Tensor.Randn([c], dtype)], "layer norm " + what);
                }
            }
        }
    }

    [LlvmFact]
    public void Row_ops_held_as_themselves_compile_as_their_decompositions()
    {
        // softmax, log_softmax (dim 1 of a rank-2 value: the last) and layer norm as ops, as the fusion pass may leave them.
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var graph = new IR.Graph("ops_fused_0");
            var x = graph.AddInput("x", TensorValueType.Of(dtype, Dim.Sym("n"), Dim.Of(21)));
            var w = graph.AddInput("w", TensorValueType.Of(dtype, 21));
            var b = graph.AddInput("b", TensorValueType.Of(dtype, 21));
            var g = new GraphBuilder(graph);
            var normed = g.Add("layer_norm", [x, w, b], new Attrs { { "normalized_shape", new long[] { 21 } }, { "eps", 1e-5 } });
            var soft = g.Add("softmax", [g.Add("relu", [normed])], new Attrs { { "dim", -1L } });
            graph.SetOutputs([g.Add("log_softmax", [x], new Attrs { { "dim", 1L } }), g.Add("add", [soft, x])]);
            Assert.True(KernelCompiler.IsRowGroup(graph));
            Assert.Null(KernelCompiler.WhyNotCompilable(graph));
            Kiln.Random.ManualSeed(6);
            foreach (long rows in new long[] { 1, 40 })
                AssertMatches(graph, [Tensor.Randn([rows, 21], dtype), Tensor.Randn([21], dtype), Tensor.Randn([21], dtype)], $"{dtype.Name()} {rows} rows");
        }
    }

    [LlvmFact]
    public void Compiled_softmax_and_layer_norm_match_the_eager_ops()
    {
        Kiln.Random.ManualSeed(5);
        var x = Tensor.Randn([9, 37]);
        var (w, b) = (Tensor.Randn([37]), Tensor.Randn([37]));
        TensorAssert.Close(x.Softmax(-1), (Tensor)RunCompiled(Softmax(DType.Float32, 37, log: false), x)[0]!, Float32, "softmax");
        TensorAssert.Close(x.LogSoftmax(-1), (Tensor)RunCompiled(Softmax(DType.Float32, 37, log: true), x)[0]!, Float32, "log_softmax");
        TensorAssert.Close(Kiln.NN.Functional.LayerNorm(x, [37], w, b), (Tensor)RunCompiled(LayerNorm(DType.Float32, 37), x, w, b)[0]!, new Tolerance(1e-5, 2e-5), "layer norm");
    }

    [LlvmFact]
    public void Transposed_strided_and_expanded_inputs_are_read_by_their_strides()
    {
        Kiln.Random.ManualSeed(9);
        const long C = 13;
        var transposed = Tensor.Randn([C, 11]).Transpose(0, 1);                  // [11, 13], stride 11 along the row
        var strided = Tensor.Randn([11, C * 2]).Slice(1, 0, null, 2);             // stride 2 along the row
        AssertMatches(Softmax(DType.Float32, C, log: false), [transposed], "transposed");
        AssertMatches(Softmax(DType.Float32, C, log: true), [strided], "strided");
        var expandedWeight = Tensor.Randn([1]).Expand(C);                          // stride 0 along the row
        AssertMatches(LayerNorm(DType.Float32, C), [transposed, expandedWeight, Tensor.Randn([C]).Slice(0, 0, null, 1)], "layer norm");
        var rowsExpanded = Tensor.Randn([1, C]).Expand(6, C);                     // stride 0 across rows
        AssertMatches(Softmax(DType.Float32, C, log: false), [rowsExpanded], "expanded rows");
    }

    [LlvmFact]
    public void Row_inputs_scalars_and_row_shaped_outputs()
    {
        // softmax(x · t + r) with t 0-d and r [?n, 1] (read once per row), returning it and the row maxima (a ROW(S) output).
        var graph = new IR.Graph("rows_fused_0");
        var n = Dim.Sym("n");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, n, Dim.Of(10)));
        var t = graph.AddInput("t", TensorValueType.Of(DType.Float32));
        var r = graph.AddInput("r", TensorValueType.Of(DType.Float32, n, Dim.Of(1)));
        var g = new GraphBuilder(graph);
        var y = g.Add("add", [g.Add("mul", [x, t]), r]);
        var max = g.Add("amax", [y], Along());
        graph.SetOutputs([SoftmaxOf(g, y), g.Add("add", [max, r])]);
        Kiln.Random.ManualSeed(4);
        foreach (long rows in new long[] { 1, 5, 300 })
        {
            var results = AssertMatches(graph, [Tensor.Randn([rows, 10]), Tensor.Randn([]), Tensor.Randn([rows, 1])], $"{rows} rows");
            Assert.Equal(new long[] { rows, 1 }, ((Tensor)results[1]!).Shape);
        }
    }

    [LlvmFact]
    public void Several_outputs_read_the_kept_exponentials_before_overwriting_them()
    {
        // Output 0 (x + 1) is the row the sum's loop keeps exp(x - max) in; output 1 (softmax) reads it back.
        var graph = new IR.Graph("outputs_fused_0");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, Dim.Sym("n"), Dim.Of(19)));
        var g = new GraphBuilder(graph);
        var one = g.Constant(DenseConstant.Splat(TensorValueType.Of(DType.Float32), 1));
        graph.SetOutputs([g.Add("add", [x, one]), SoftmaxOf(g, x), g.Add("sub", [SoftmaxOf(g, x, log: true), one])]);
        Kiln.Random.ManualSeed(10);
        AssertMatches(graph, [Tensor.Randn([33, 19])], "three outputs");
    }

    [LlvmFact]
    public void Symbolic_batch_and_leading_dims_that_do_not_coalesce()
    {
        var graph = new IR.Graph("heads_fused_0");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float64, Dim.Sym("b"), Dim.Of(4), Dim.Of(24)));
        graph.SetOutputs([SoftmaxOf(new GraphBuilder(graph), x, log: true)]);
        Kiln.Random.ManualSeed(8);
        foreach (long batch in new long[] { 1, 3, 17 })
            AssertMatches(graph, [Tensor.Randn([4, batch, 24], DType.Float64).Transpose(0, 1)], $"batch {batch}");
    }

    [LlvmFact]
    public void NaN_and_minus_infinity_rows_give_what_the_interpreter_gives()
    {
        var x = Tensor.Randn([4, 9]);
        x.Slice(0, 0, 1).Fill_(double.NegativeInfinity);     // every entry -inf: NaN (as PyTorch)
        x.Slice(0, 1, 2).Slice(1, 4, 5).Fill_(double.NaN);   // one NaN: amax is NaN, the whole row NaN
        x.Slice(0, 2, 3).Slice(1, 0, 3).Fill_(double.NegativeInfinity); // some -inf: probability 0
        var y = (Tensor)AssertMatches(Softmax(DType.Float32, 9, log: false), [x], "softmax")[0]!;
        var values = y.ToArray<float>();
        Assert.All(values[..18], v => Assert.True(float.IsNaN(v)));
        Assert.Equal([0f, 0f, 0f], values[18..21]);
        Assert.Equal(1f, values[18..27].Sum(), 5);
    }

    [LlvmFact]
    public void Attention_scores_headed_by_bmm_run_in_place_over_the_product()
    {
        AttentionScores(asOp: false);
        AttentionScores(asOp: true);
    }

    private static void AttentionScores(bool asOp)
    {
        // softmax(bmm(q, k) · scale + mask) with q [?b, 6, 8], k [?b, 8, 6], mask [6, 6].
        var graph = new IR.Graph("attention_fused_0");
        var b = Dim.Sym("b");
        var q = graph.AddInput("q", TensorValueType.Of(DType.Float32, b, Dim.Of(6), Dim.Of(8)));
        var k = graph.AddInput("k", TensorValueType.Of(DType.Float32, b, Dim.Of(8), Dim.Of(6)));
        var mask = graph.AddInput("mask", TensorValueType.Of(DType.Float32, 6, 6));
        var g = new GraphBuilder(graph);
        var scaled = g.Add("mul", [g.Add("bmm", [q, k]), g.Constant(DenseConstant.Splat(TensorValueType.Of(DType.Float32), 1 / Math.Sqrt(8)))]);
        var masked = g.Add("add", [scaled, mask]);
        graph.SetOutputs([asOp ? g.Add("softmax", [masked], new Attrs { { "dim", -1L } }) : SoftmaxOf(g, masked)]);
        Assert.True(KernelCompiler.TryCompileEpilogue(graph, out var kernel, out string? reason), reason);
        Assert.NotNull(kernel!.RowEpilogue);
        Assert.True(kernel.RowEpilogue.InPlace);
        Assert.Null(kernel.Epilogue);

        Kiln.Random.ManualSeed(12);
        var causal = Tensor.Full([6, 6], double.NegativeInfinity).Triu(1);
        foreach (long batch in new long[] { 1, 4 })
            AssertMatches(graph, [Tensor.Randn([batch, 6, 8]), Tensor.Randn([batch, 8, 6]), causal], $"batch {batch}");
    }

    /// <summary>A layer norm then a softmax: the fusion pass makes one row group of them.</summary>
    private sealed class NormSoftmax : Kiln.NN.Module
    {
        private readonly Kiln.NN.LayerNorm norm = new([24]);

        public Tensor Forward(Tensor x) => norm.Forward(x).Softmax(-1);
    }

    [LlvmFact]
    public void A_saved_model_runs_its_row_kernels_from_the_file()
    {
        Kiln.Random.ManualSeed(2);
        var model = new NormSoftmax();
        model.Eval();
        var x = Tensor.Randn(5, 24);
        var optimized = Jit.Trace(model, x).Optimize();
        var group = Assert.Single(optimized.Graph.Body.Nodes, n => n.Kind == NodeKind.Call).Callee!;
        Assert.True(KernelCompiler.IsRowGroup(group), $"@{group.Name} is not a row group");
        string folder = Directory.CreateTempSubdirectory("kiln-rowaot-").FullName;
        try
        {
            string path = Path.Combine(folder, "norm.kiln");
            optimized.Save(path, new SaveOptions { Target = KernelTarget.Host });
            var stored = Kiln.Serialization.KilnFile.Read(path);
            Assert.Contains(stored.Kernels!.Symbols, s => s.Callee.Contains("_fused_", StringComparison.Ordinal) && s.Layout == "ccc");
            long served = PrecompiledKernels.Served;
            var loaded = ScriptModule.Load(path, new LoadOptions { TrustNativeKernels = true });
            Assert.Null(loaded.NativeKernelMessage);
            using (Autograd.NoGrad())
            {
                int runs = CompiledKernelStep.CompiledRuns;
                var actual = loaded.Forward(x);
                Assert.True(PrecompiledKernels.Served > served, "no kernel came from the file's library");
                Assert.True(CompiledKernelStep.CompiledRuns > runs, "no compiled kernel ran");
                TensorAssert.Close(model.Forward(x), actual, Float32, "loaded model");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [LlvmFact]
    public void Two_threads_compute_what_one_thread_computes()
    {
        Kiln.Random.ManualSeed(3);
        var x = Tensor.Randn([3001, 64]);
        var graph = Softmax(DType.Float32, 64, log: false);
        int threads = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 1;
            var one = (Tensor)RunCompiled(graph, x)[0]!;
            Threading.NumThreads = 2;
            var two = (Tensor)RunCompiled(graph, x)[0]!;
            TensorAssert.BitwiseEqual(one, two, "softmax");
        }
        finally
        {
            Threading.NumThreads = threads;
        }
    }

    [Fact]
    public void Inputs_requiring_grad_run_interpreted_and_record_autograd()
    {
        var x = Tensor.Randn([3, 5]).RequiresGrad_();
        int before = CompiledKernelStep.CompiledRuns;
        var y = (Tensor)new GraphExecutor(CompiledKernelTests.Caller(Softmax(DType.Float32, 5, log: true))).Run(x)[0]!;
        y.Sum().Backward();
        Assert.Equal(before, CompiledKernelStep.CompiledRuns);
        Assert.NotNull(x.Grad);
    }

    [LlvmFact]
    public void Empty_rows_fall_back_for_amax_and_run_compiled_for_means()
    {
        var empty = Tensor.Randn([3, 0]);
        int before = CompiledKernelStep.CompiledRuns;
        var caller = CompiledKernelTests.Caller(Softmax(DType.Float32, null, log: false));
        var interpreted = Record.Exception(() => new GraphExecutor(Softmax(DType.Float32, null, log: false)).Run(empty));
        var compiled = Record.Exception(() => new GraphExecutor(caller).Run(empty));
        Assert.NotNull(interpreted);
        Assert.NotNull(compiled);
        Assert.Contains("amax", compiled.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, CompiledKernelStep.CompiledRuns);

        // mean over empty rows is NaN, a ROW(S) output; the S-shaped output is empty.
        var graph = new IR.Graph("mean_fused_0");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, Dim.Sym("n"), Dim.Sym("c")));
        var g = new GraphBuilder(graph);
        var mean = g.Add("mean", [x], Along());
        graph.SetOutputs([mean, g.Add("sub", [x, mean])]);
        var results = AssertMatches(graph, [empty], "empty rows");
        Assert.All(((Tensor)results[0]!).ToArray<float>(), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(new long[] { 3, 0 }, ((Tensor)results[1]!).Shape);
    }

    /// <summary>Runs <paramref name="callee"/> compiled and interpreted; asserts the compiled kernel ran and the results agree.</summary>
    private static object?[] AssertMatches(IR.Graph callee, Tensor[] inputs, string what)
    {
        var expected = new GraphExecutor(callee).Run(inputs);
        var actual = RunCompiled(callee, inputs);
        for (int i = 0; i < expected.Length; i++)
        {
            var e = (Tensor)expected[i]!;
            TensorAssert.Close(e, (Tensor)actual[i]!, e.DType == DType.Float32 ? Float32 : Tolerance.For(e.DType), $"{callee.Name} {what}, output {i}");
        }
        return actual;
    }

    /// <summary>Runs <paramref name="callee"/> through a call, so as a compiled row kernel, and checks that the kernel ran.</summary>
    private static object?[] RunCompiled(IR.Graph callee, params Tensor[] inputs)
    {
        Assert.True(KernelCompiler.TryCompileGroup(callee, out string? reason), reason);
        int before = CompiledKernelStep.CompiledRuns;
        var results = new GraphExecutor(CompiledKernelTests.Caller(callee)).Run(inputs);
        Assert.Equal(before + 1, CompiledKernelStep.CompiledRuns);
        return results;
    }
}
