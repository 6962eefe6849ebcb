using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.Graphs;
using Kiln.IR;
using Kiln.Tests.OpInfo;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// Fused elementwise calls run as LLVM-compiled kernels (<see cref="CompiledKernelStep"/>) and compute what the
/// interpreter computes: every elementwise op of the registry on its reference samples, hand-built fused graphs with
/// broadcasting, non-contiguous inputs, symbolic batch sizes and several outputs, and the same results on one thread or
/// two. Callee graphs are built by hand here (the contract the fusion pass follows: a call of <c>&lt;graph&gt;_fused_&lt;k&gt;</c>).
/// </summary>
public class CompiledKernelTests
{
    /// <summary>Elementwise ops the kernel generator does not compile yet, with why (the executor interprets them).</summary>
    private static readonly Dictionary<string, string> NotYetCompilable = new(StringComparer.Ordinal)
    {
        ["isnan"] = "produces bool",
        ["isinf"] = "produces bool",
        ["isfinite"] = "produces bool",
        ["logical_not"] = "produces bool",
    };

    public static TheoryData<string> ElementwiseOps() =>
        [.. OpRegistry.All.Where(o => o.Family == "elementwise").Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(ElementwiseOps))]
    public void Each_elementwise_op_compiles_and_matches_the_interpreter_or_is_listed(string name)
    {
        var op = OpRegistry.Get(name);
        int matched = 0;
        foreach (var sample in ReferenceData.Ops[name].Samples.Where(s => s.Error is null && KernelDTypes(s)))
        {
            if (Callee(op, sample) is not { } callee) continue;
            if (NotYetCompilable.TryGetValue(name, out string? why))
            {
                Assert.False(KernelCompiler.TryCompile(callee, out _, out string? reason));
                Assert.StartsWith($"not compilable: {name}", reason, StringComparison.Ordinal);
                Assert.Contains(why, reason, StringComparison.Ordinal);
                return;
            }
            var inputs = sample.Inputs.Select(i => LayoutBuilder.Build(i.Spec, i.Values)).ToArray();
            var expected = new GraphExecutor(callee).Run(inputs);
            var actual = RunCompiled(callee, inputs);
            var dtype = ((Tensor)expected[0]!).DType;
            TensorAssert.Close((Tensor)expected[0]!, (Tensor)actual[0]!, Tolerance.For(dtype), $"{name} sample {sample.Id}");
            matched++;
        }
        Assert.True(matched > 0 || NotYetCompilable.ContainsKey(name), $"no float32/float64 sample of {name} ran");
    }

    [Fact]
    public void The_not_yet_compilable_list_names_only_elementwise_ops()
    {
        var elementwise = OpRegistry.All.Where(o => o.Family == "elementwise").Select(o => o.Name).ToHashSet();
        Assert.Subset(elementwise, NotYetCompilable.Keys.ToHashSet());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1003)]
    public void Fused_chain_with_broadcasting_and_views_matches_the_interpreter(long batch)
    {
        var callee = BroadcastGraph(DType.Float32);
        Kiln.Random.ManualSeed(7);
        var a = Tensor.Randn([5, batch], DType.Float32).Transpose(0, 1);     // [b, 5], non-contiguous
        var b = Tensor.Randn([5], DType.Float32);                             // broadcast over rows
        var c = Tensor.Randn([], DType.Float32);                              // a scalar
        var d = Tensor.Randn([batch, 2], DType.Float32).Slice(1, 0, 1);     // [b, 1], stride 2: broadcast along the row
        var condition = Tensor.Randn([batch, 5], DType.Float32).Gt(0.0);

        var expected = new GraphExecutor(callee).Run(a, b, c, d, condition);
        var actual = RunCompiled(callee, a, b, c, d, condition);

        for (int i = 0; i < expected.Length; i++)
            TensorAssert.Close((Tensor)expected[i]!, (Tensor)actual[i]!, Tolerance.For(DType.Float32), $"batch {batch}, output {i}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Random_fused_graphs_match_the_interpreter(int seed)
    {
        var random = new System.Random(seed);
        var dtype = seed % 2 == 0 ? DType.Float64 : DType.Float32;
        var callee = RandomGraph(random, dtype, out var shapes);
        foreach (long batch in new long[] { 1, 7, 8, 1003 })
        {
            Kiln.Random.ManualSeed(seed);
            var inputs = shapes.Select(s => RandomLayout(random, [.. s.Select(d => d < 0 ? batch : d)], dtype)).ToArray();
            var expected = new GraphExecutor(callee).Run(inputs);
            var actual = RunCompiled(callee, inputs);
            for (int i = 0; i < expected.Length; i++)
                TensorAssert.Close((Tensor)expected[i]!, (Tensor)actual[i]!, Tolerance.For(dtype), $"seed {seed}, batch {batch}, output {i}");
        }
    }

    [Fact]
    public void Two_threads_compute_what_one_thread_computes()
    {
        var callee = BroadcastGraph(DType.Float32);
        Kiln.Random.ManualSeed(3);
        const long Batch = 30_011; // 150k elements: split in two halves that do not end on a row boundary
        object[] inputs =
        [
            Tensor.Randn([5, Batch], DType.Float32).Transpose(0, 1), Tensor.Randn([5], DType.Float32), Tensor.Randn([], DType.Float32),
            Tensor.Randn([Batch, 1], DType.Float32), Tensor.Randn([Batch, 5], DType.Float32).Gt(0.0),
        ];
        int threads = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 1;
            var one = RunCompiled(callee, inputs);
            Threading.NumThreads = 2;
            var two = RunCompiled(callee, inputs);
            for (int i = 0; i < one.Length; i++)
                TensorAssert.BitwiseEqual((Tensor)one[i]!, (Tensor)two[i]!, $"output {i}");
        }
        finally
        {
            Threading.NumThreads = threads;
        }
    }

    [Fact]
    public void Inputs_requiring_grad_run_interpreted_and_record_autograd()
    {
        var callee = BroadcastGraph(DType.Float32);
        var outer = Caller(callee);
        var a = Tensor.Randn([3, 5], DType.Float32).RequiresGrad_();
        object[] inputs = [a, Tensor.Randn([5], DType.Float32), Tensor.Randn([], DType.Float32), Tensor.Randn([3, 1], DType.Float32), Tensor.Randn([3, 5], DType.Float32).Gt(0.0)];
        int before = CompiledKernelStep.CompiledRuns;

        var result = (Tensor)new GraphExecutor(outer).Run(inputs)[0]!;
        result.Sum().Backward();

        Assert.Equal(before, CompiledKernelStep.CompiledRuns);
        Assert.NotNull(a.Grad);
    }

    [Fact]
    public void A_call_of_a_graph_not_named_fused_is_interpreted()
    {
        var callee = new IR.Graph("helper");
        var x = callee.AddInput("x", TensorValueType.Of(DType.Float32, 4));
        callee.SetOutputs([new GraphBuilder(callee).Add("relu", [x])]);
        int before = CompiledKernelStep.CompiledRuns;

        var result = (Tensor)new GraphExecutor(Caller(callee)).Run(Tensor.FromArray(new[] { -1f, 2f, -3f, 4f }, 4))[0]!;

        Assert.Equal(before, CompiledKernelStep.CompiledRuns);
        Assert.Equal(new[] { 0f, 2f, 0f, 4f }, result.ToArray<float>());
    }

    /// <summary>Whether every input of a sample is float32 or float64 (one of them), or bool as where's condition.</summary>
    private static bool KernelDTypes(ReferenceSample sample)
    {
        var floats = sample.Inputs.Where(i => i.Spec.DType != DType.Bool).Select(i => i.Spec.DType).Distinct().ToArray();
        return floats.Length == 1 && floats[0] is DType.Float32 or DType.Float64
            && sample.Inputs.All(i => i.Spec.DType != DType.Bool || (sample.Op == "where" && i == sample.Inputs[0]));
    }

    /// <summary>A <c>t_fused_0</c> graph applying <paramref name="op"/> to the sample's input types, or null if the type rule rejects them.</summary>
    private static IR.Graph? Callee(OpDef op, ReferenceSample sample)
    {
        var graph = new IR.Graph($"{op.Name}_fused_0");
        var inputs = sample.Inputs.Select((i, k) => graph.AddInput("in" + k, TensorValueType.Of(i.Spec.DType, [.. i.Spec.Shape.Select(Dim.Of)]))).ToArray();
        try
        {
            graph.SetOutputs(new GraphBuilder(graph).AddMulti(op, inputs, sample.Attrs));
        }
        catch (IrException)
        {
            return null;
        }
        return graph;
    }

    /// <summary>A graph with the callee's input types that only calls it.</summary>
    internal static IR.Graph Caller(IR.Graph callee)
    {
        var graph = new IR.Graph("main");
        var inputs = callee.Inputs.Select(i => graph.AddInput(i.Name ?? "x", i.Type)).ToArray();
        graph.SetOutputs(new GraphBuilder(graph).Call(callee, inputs));
        return graph;
    }

    /// <summary>
    /// Runs <paramref name="callee"/> through a call, so as a compiled kernel, and checks that the kernel ran; without
    /// libLLVM, checks that the call fell back to the interpreter.
    /// </summary>
    private static object?[] RunCompiled(IR.Graph callee, params object[] inputs)
    {
        bool compiles = KernelCompiler.TryCompile(callee, out _, out string? reason);
        Assert.True(compiles || (!Llvm.IsAvailable && reason!.StartsWith("LLVM is unavailable", StringComparison.Ordinal)), reason);
        int before = CompiledKernelStep.CompiledRuns;
        var results = new GraphExecutor(Caller(callee)).Run(inputs);
        Assert.Equal(before + (compiles ? 1 : 0), CompiledKernelStep.CompiledRuns);
        return results;
    }

    /// <summary>
    /// a: [?b, 5], b: [5], c: [], d: [?b, 1], condition: bool [?b, 5]. Outputs <c>relu(a·b + c)·sigmoid(a)</c> and
    /// <c>where(condition, tanh(d) − a, maximum(a, c))</c>.
    /// </summary>
    private static IR.Graph BroadcastGraph(DType dtype)
    {
        var graph = new IR.Graph("main_fused_0");
        var batch = Dim.Sym("b");
        var a = graph.AddInput("a", TensorValueType.Of(dtype, batch, 5));
        var b = graph.AddInput("b", TensorValueType.Of(dtype, 5));
        var c = graph.AddInput("c", TensorValueType.Of(dtype));
        var d = graph.AddInput("d", TensorValueType.Of(dtype, batch, 1));
        var condition = graph.AddInput("condition", TensorValueType.Of(DType.Bool, batch, 5));
        var g = new GraphBuilder(graph);
        var chain = g.Add("mul", [g.Add("relu", [g.Add("add", [g.Add("mul", [a, b]), c])]), g.Add("sigmoid", [a])]);
        var picked = g.Add("where", [condition, g.Add("sub", [g.Add("tanh", [d]), a]), g.Add("maximum", [a, c])]);
        graph.SetOutputs([chain, picked]);
        return graph;
    }

    private static readonly string[] Unary = ["neg", "abs", "exp", "tanh", "sigmoid", "relu", "silu", "gelu", "square", "sin", "erf"];
    private static readonly string[] Binary = ["add", "sub", "mul", "maximum", "minimum", "atan2", "lerp"];

    /// <summary>
    /// A random graph of 4 to 9 ops over three inputs of shapes [?b, 6], [6] and [?b, 1] (-1 marks the batch in
    /// <paramref name="shapes"/>), returning its last value and one earlier one.
    /// </summary>
    private static IR.Graph RandomGraph(System.Random random, DType dtype, out long[][] shapes)
    {
        shapes = [[-1, 6], [6], [-1, 1]];
        var graph = new IR.Graph("random_fused_0");
        var values = shapes.Select((s, k) => graph.AddInput("in" + k, TensorValueType.Of(dtype, [.. s.Select(d => d < 0 ? Dim.Sym("b") : Dim.Of(d))]))).ToList();
        var g = new GraphBuilder(graph);
        int count = random.Next(4, 10);
        for (int i = 0; i < count; i++)
        {
            Value Pick() => values[random.Next(values.Count)];
            if (random.Next(2) == 0)
            {
                values.Add(g.Add(Unary[random.Next(Unary.Length)], [Pick()]));
                continue;
            }
            string op = Binary[random.Next(Binary.Length)];
            values.Add(op == "lerp" ? g.Add(op, [Pick(), Pick(), Pick()]) : g.Add(op, [Pick(), Pick()]));
        }
        // Outputs must have the group's shape: add the first input (the full [?b, 6]) to each.
        var last = g.Add("add", [values[^1], values[0]]);
        var earlier = g.Add("mul", [values[3 + random.Next(count - 1)], values[0]]);
        graph.SetOutputs([last, earlier]);
        return graph;
    }

    /// <summary>Random values in <paramref name="shape"/>, contiguous, transposed or strided at random.</summary>
    private static Tensor RandomLayout(System.Random random, long[] shape, DType dtype) => random.Next(3) switch
    {
        0 => Tensor.Randn(shape, dtype),
        1 when shape.Length == 2 => Tensor.Randn([shape[1], shape[0]], dtype).Transpose(0, 1),
        _ => Tensor.Randn([.. shape[..^1], shape[^1] * 2], dtype).Slice(-1, 0, null, 2),
    };
}
