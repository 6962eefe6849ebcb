using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.Graphs;
using Kiln.IR;
using Kiln.Passes;
using IrGraph = Kiln.IR.Graph;
using Rng = System.Random;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// The fusion pass against the executor: a fused graph whose callees are interpreted runs the same kernels
/// op by op, so its outputs must equal the unfused graph's bit for bit — on the four model graphs (as
/// written and with composite ops decomposed, which gives more to fuse, softmax and layer norm becoming row groups)
/// and on seeded random elementwise graphs with broadcasting, symbolic batch dims, odd sizes and last-dim sums
/// (row groups). The executor runs <c>_fused_</c> callees as
/// compiled kernels where LLVM compiles them, so the bitwise check runs a twin whose callees are renamed
/// (and so interpreted), and the fused graph as the runtime runs it must match within float tolerance.
/// Fused graphs and their callees verify, keep the callee contract, and print and parse back.
/// </summary>
public sealed class FusionTests
{
    private const int RandomGraphCount = 30;

    public static TheoryData<string, string> ModelsAndPipelines()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Models.All)
        {
            data.Add(model.Name, "");
            data.Add(model.Name, "decompose");
        }
        return data;
    }

    public static TheoryData<int> RandomSeeds() => new(Enumerable.Range(0, RandomGraphCount));

    [Theory]
    [MemberData(nameof(ModelsAndPipelines))]
    public void Fused_model_graph_gives_the_unfused_graphs_bits(string name, string pipeline)
    {
        var model = Models.Get(name);
        var reference = GraphReference.Load(name);
        var graph = KirParser.Parse(GraphReference.Kir(name));
        PassManager.Parse(pipeline).Run(graph);
        var fused = Fuse(graph);
        if (pipeline == "decompose") Assert.NotEmpty(Callees(fused));
        var runs = Executors(graph, fused, reference.Parameters);
        foreach (var batch in reference.Batches)
            AssertSameResults(runs, model.Inputs(reference, batch), $"{name} ({pipeline}) at batch {batch}");
    }

    [Theory]
    [MemberData(nameof(RandomSeeds))]
    public void Fused_random_elementwise_graph_gives_the_unfused_graphs_bits(int seed)
    {
        var random = new Rng(seed);
        var graph = RandomElementwiseGraph.Build(random, $"r{seed}");
        var fused = Fuse(graph);
        var runs = Executors(graph, fused, null);
        foreach (long batch in new long[] { 1, 3 + random.Next(6) })
        {
            var generator = new Generator(seed * 100 + batch);
            var inputs = graph.Inputs.Select(i => (object?)Tensor.Randn([.. i.TensorType.Shape.Select(d => d.IsSymbol ? batch : d.Size)], i.TensorType.DType, generator: generator)).ToArray();
            AssertSameResults(runs, inputs, $"graph {seed} at batch {batch}:\n{graph}");
        }
    }

    [Fact]
    public void Random_graphs_fuse_groups_of_several_ops_and_leave_some_apart()
    {
        var counts = Enumerable.Range(0, RandomGraphCount).Select(seed =>
        {
            var graph = RandomElementwiseGraph.Build(new Rng(seed), $"r{seed}");
            int before = graph.AllNodes().Count(n => n.Kind == NodeKind.Op);
            var callees = Callees(Fuse(graph));
            return (Groups: callees.Count, Fused: callees.Sum(c => c.Body.Nodes.Count(n => n.Kind == NodeKind.Op)), Before: before);
        }).ToArray();
        Assert.True(counts.Sum(c => c.Groups) >= RandomGraphCount, "fewer fused groups than graphs");
        Assert.Contains(counts, c => c.Groups > 1);
        Assert.Contains(counts, c => c.Fused < c.Before);
    }

    [Fact]
    public void Random_graphs_make_row_groups_of_their_last_dim_sums()
    {
        var rowGroups = Enumerable.Range(0, RandomGraphCount)
            .SelectMany(seed => Callees(Fuse(RandomElementwiseGraph.Build(new Rng(seed), $"r{seed}"))))
            .Count(c => c.Body.Nodes.Any(IsRowwise));
        Assert.True(rowGroups >= 5, $"only {rowGroups} row groups in {RandomGraphCount} random graphs");
    }

    /// <summary>
    /// Epilogue groups: each graph fuses into one call whose callee starts with the matrix product; interpreted it gives
    /// the unfused bits, and as the runtime runs it (Kiln's GEMM, then the compiled epilogue in place) it agrees within
    /// float tolerance, through the compiled path when LLVM is installed. Odd sizes (not multiples of the vector width),
    /// a symbolic batch and float64 are included.
    /// </summary>
    [Theory]
    [InlineData("linear_relu", "graph @linear_relu(%x: f32[?b, 37], %w: f32[19, 37], %bias: f32[19]) -> (f32[?b, 19]) {\n  %l: f32[?b, 19] = linear(%x, %w, %bias)\n  %y: f32[?b, 19] = relu(%l)\n  return %y\n}")]
    [InlineData("matmul_add_gelu", "graph @matmul_add_gelu(%x: f32[?b, 64], %w: f32[64, 130], %bias: f32[130]) -> (f32[?b, 130]) {\n  %m: f32[?b, 130] = matmul(%x, %w)\n  %a: f32[?b, 130] = add(%m, %bias)\n  %g: f32[?b, 130] = gelu(%a)\n  return %g\n}")]
    [InlineData("residual", "graph @residual(%x: f64[?b, 33], %w: f64[33, 33], %bias: f64[33]) -> (f64[?b, 33], f64[?b, 33]) {\n  %l: f64[?b, 33] = linear(%x, %w, %bias)\n  %r: f64[?b, 33] = add(%l, %x)\n  %t: f64[?b, 33] = tanh(%r)\n  return %t, %r\n}")]
    [InlineData("bmm_sigmoid", "graph @bmm_sigmoid(%x: f32[3, 9, 17], %w: f32[3, 17, 11]) -> (f32[3, 9, 11]) {\n  %m: f32[3, 9, 11] = bmm(%x, %w)\n  %s: f32[3, 9, 11] = sigmoid(%m)\n  return %s\n}")]
    public void Epilogue_group_gives_the_unfused_bits_interpreted_and_close_values_compiled(string name, string kir)
    {
        var graph = KirParser.Parse(kir);
        var fused = Fuse(graph);
        var callee = Assert.Single(Callees(fused));
        Assert.Equal("", string.Join(", ", fused.Body.Nodes.Where(n => n.Kind == NodeKind.Op).Select(n => n.Op!.Name)));
        Assert.True(EpilogueKernel.IsHeaded(callee), $"@{callee.Name} does not start with its matrix product");
        var runs = Executors(graph, fused, null);
        int before = CompiledKernelStep.CompiledRuns;
        foreach (long batch in new long[] { 1, 5 })
        {
            var generator = new Generator(batch);
            var inputs = graph.Inputs.Select(i => (object?)Tensor.Randn([.. i.TensorType.Shape.Select(d => d.IsSymbol ? batch : d.Size)], i.TensorType.DType, generator: generator)).ToArray();
            AssertSameResults(runs, inputs, $"{name} at batch {batch}");
        }
        if (Llvm.IsAvailable) Assert.True(CompiledKernelStep.CompiledRuns > before, $"{name}: the epilogue did not run compiled");
    }

    [Fact]
    public void Epilogue_group_runs_op_by_op_when_grad_is_needed_and_gives_the_unfused_gradients()
    {
        var graph = KirParser.Parse("graph @g(%x: f32[4, 6], %w: f32[5, 6], %b: f32[5]) -> (f32[4, 5]) {\n  %l: f32[4, 5] = linear(%x, %w, %b)\n  %y: f32[4, 5] = relu(%l)\n  return %y\n}");
        var fused = Fuse(graph);
        var generator = new Generator(3);
        var x = Tensor.Randn([4, 6], generator: generator);
        var w = Tensor.Randn([5, 6], generator: generator).RequiresGrad_();
        var b = Tensor.Randn([5], generator: generator);
        var expected = (Tensor)new GraphExecutor(graph, null).Run([x, w, b])[0]!;
        expected.Sum().Backward();
        var plainGrad = w.Grad!;
        w.Grad = null;
        int before = CompiledKernelStep.CompiledRuns;
        var actual = (Tensor)new GraphExecutor(fused, null).Run([x, w, b])[0]!;
        actual.Sum().Backward();
        Assert.Equal(before, CompiledKernelStep.CompiledRuns);
        AssertSameBits([expected], [actual], "output with grad");
        AssertSameBits([plainGrad], [w.Grad!], "gradient of w");
    }

    /// <summary>
    /// A fused copy of <paramref name="graph"/>, checked: it and its callees verify, each callee holds only
    /// ops and constants whose results share one float dtype and shape, and the module prints and parses back.
    /// </summary>
    private static IrGraph Fuse(IrGraph graph)
    {
        var fused = GraphCloner.Clone(graph);
        new PassManager([new FusionPass()]).Run(fused);
        Assert.Empty(GraphVerifier.Check(fused));
        var callees = Callees(fused);
        foreach (var callee in callees)
        {
            Assert.Contains("_fused_", callee.Name, StringComparison.Ordinal);
            Assert.Empty(GraphVerifier.Check(callee));
            Assert.All(callee.Body.Nodes, n => Assert.True(n.Kind is NodeKind.Op or NodeKind.Constant, $"@{callee.Name} holds a {n.Name} node"));
            var ops = callee.Body.Nodes.Where(n => n.Kind == NodeKind.Op).ToArray();
            Assert.True(ops.Length > 1, $"@{callee.Name} fuses {ops.Length} op");
            // An epilogue group: the matrix product is the callee's first node, the rest elementwise over its result.
            bool headed = ops[0].Op!.Family is "linalg" or "conv";
            if (headed) Assert.Same(ops[0], callee.Body.Nodes[0]);
            Assert.All(ops.Skip(headed ? 1 : 0), n => Assert.True(n.Op!.Family == "elementwise" || IsRowwise(n), $"@{callee.Name} holds {n.Op.Name}"));
            Assert.Single(ops.Select(n => n.Result.TensorType.DType).Distinct());
            Assert.Contains(ops[0].Result.TensorType.DType, new[] { DType.Float32, DType.Float64 });
            // A row group: every result has the reductions' operand shape or its row shape (last dim 1); else one shape.
            var domains = ops.Where(IsRowwise).Select(n => n.Operands[0].TensorType.Shape).ToArray();
            if (domains.Length == 0)
            {
                Assert.Single(ops.Select(n => n.Result.Type).Distinct());
                continue;
            }
            var domain = domains[0];
            Assert.All(domains, d => Assert.Equal(domain, d));
            Dim[] row = [.. domain.Take(domain.Count - 1), Dim.Of(1)];
            Assert.All(ops, n => Assert.True(n.Result.TensorType.Shape.SequenceEqual(domain) || n.Result.TensorType.Shape.SequenceEqual(row), $"@{callee.Name}: {n.Op!.Name} gives {n.Result.Type}, neither the domain nor its row shape"));
        }
        var module = new GraphModule([.. callees, fused]);
        var text = KirPrinter.Print(module);
        Assert.Equal(text, KirPrinter.Print(KirParser.ParseModule(text)));
        return fused;
    }

    /// <summary>Executors for the unfused graph, the fused graph with its callees interpreted, and the fused graph as the runtime runs it.</summary>
    private static (GraphExecutor Plain, GraphExecutor Interpreted, GraphExecutor Fused) Executors(IrGraph graph, IrGraph fused, IReadOnlyDictionary<string, Tensor>? parameters) =>
        (new GraphExecutor(graph, parameters), new GraphExecutor(Interpreted(fused), parameters), new GraphExecutor(fused, parameters));

    private static void AssertSameResults((GraphExecutor Plain, GraphExecutor Interpreted, GraphExecutor Fused) runs, object?[] inputs, string what)
    {
        var expected = runs.Plain.Run(inputs);
        AssertSameBits(expected, runs.Interpreted.Run(inputs), what);
        var compiled = runs.Fused.Run(inputs);
        Assert.Equal(expected.Length, compiled.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            var e = Assert.IsType<Tensor>(expected[k]);
            TensorAssert.Close(e, Assert.IsType<Tensor>(compiled[k]), CompiledTolerance(e.DType), $"{what}: output {k} of the fused graph as the runtime runs it");
        }
    }

    /// <summary>
    /// How far compiled kernels may stray: vector exp and friends differ from the scalar ones by an ulp or so, and row
    /// kernels add their sums in another order (vector lanes, whose count depends on the host), which chains amplify:
    /// exp(exp(x − sum)) multiplies an ulp of the sum by exp(x)·sum, about 1100 ulps of the result (1.3e-4) for seed 11's
    /// graph on an AVX-512 host. A wrong op or broadcast strays by far more than 1e-3.
    /// </summary>
    private static Tolerance CompiledTolerance(DType dtype) => dtype == DType.Float64 ? new(1e-10, 1e-12) : new(1e-3, 1e-4);

    /// <summary>
    /// A copy of <paramref name="fused"/> whose calls call renamed copies of the fused callees: the executor compiles
    /// only callees named <c>_fused_</c>, so these run op by op with the eager kernels.
    /// </summary>
    private static IrGraph Interpreted(IrGraph fused)
    {
        var twin = GraphCloner.Clone(fused);
        foreach (var call in twin.AllNodes().Where(n => n.Kind == NodeKind.Call).ToArray())
        {
            var renamed = GraphCloner.Clone(call.Callee!, call.Callee!.Name.Replace("_fused_", "_group_", StringComparison.Ordinal));
            var copy = twin.CreateCallNode(renamed, call.Operands, call.Results.Select(r => r.Type));
            call.Owner!.Insert(call.Owner.IndexOf(call), copy);
            for (int i = 0; i < call.Results.Count; i++) call.Results[i].ReplaceAllUsesWith(copy.Results[i]);
            call.Owner.Remove(call);
        }
        Assert.DoesNotContain(twin.AllNodes(), n => n.Callee?.Name.Contains("_fused_", StringComparison.Ordinal) == true);
        return twin;
    }

    /// <summary>
    /// Whether <paramref name="node"/> is what makes a row group: a reduction over its operand's last dim that keeps it,
    /// or softmax, log_softmax or layer norm along that dim alone.
    /// </summary>
    private static bool IsRowwise(Node node)
    {
        long last = node.Operands.Count > 0 ? node.Operands[0].TensorType.Rank - 1 : -2;
        return node.Op?.Name switch
        {
            "sum" or "mean" or "amax" or "amin" => node.Attrs.GetBool("keepdim", false) && node.Attrs.GetLongs("dim") is [var d] && (d == -1 || d == last),
            "softmax" or "log_softmax" => node.Attrs.GetLong("dim", 0) is var d && (d == -1 || d == last),
            "layer_norm" => node.Attrs.GetLongs("normalized_shape").Length == 1,
            _ => false,
        };
    }

    private static List<IrGraph> Callees(IrGraph graph) =>
        [.. graph.AllNodes().Where(n => n.Kind == NodeKind.Call).Select(n => n.Callee!).Distinct()];

    private static void AssertSameBits(object?[] expected, object?[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            var e = Assert.IsType<Tensor>(expected[k]);
            var a = Assert.IsType<Tensor>(actual[k]);
            Assert.Equal(e.DType, a.DType);
            Assert.Equal(e.Shape, a.Shape);
            var ev = e.To(DType.Float64).ToArray<double>();
            var av = a.To(DType.Float64).ToArray<double>();
            int at = Enumerable.Range(0, ev.Length).FirstOrDefault(i => BitConverter.DoubleToInt64Bits(ev[i]) != BitConverter.DoubleToInt64Bits(av[i]), -1);
            Assert.True(at < 0, $"{what}: output {k} differs from the unfused graph's bits, first at element {at}: {(at < 0 ? 0 : av[at])} instead of {(at < 0 ? 0 : ev[at])}");
        }
    }
}
