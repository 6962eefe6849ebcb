using Kiln.Graphs;
using Kiln.IR;
using static Kiln.Tests.GraphExecution.Models;
using IrGraph = Kiln.IR.Graph;

namespace Kiln.Tests.GraphExecution;

/// <summary>The executor on if, loop, tuple and list nodes, primitives, calls and inline constants.</summary>
public sealed class ControlFlowExecutionTests
{
    private static Tensor Row(params float[] values) => Tensor.FromArray(values, 1, values.Length);

    private static Tensor Single(object?[] outputs) => Assert.IsType<Tensor>(Assert.Single(outputs));

    [Fact]
    public void If_on_a_data_dependent_tensor_condition_takes_either_branch()
    {
        var g = new IrGraph("branchy");
        var x = g.AddInput("x", F32(Batch, 3));
        var b = new GraphBuilder(g);
        var zero = b.Constant(DenseConstant.Splat(F32(), 0));
        var positive = b.Add("gt", [b.Add("sum", [x]), zero]);
        b.Return(b.If(positive, t => [t.Add("relu", [x])], e => [e.Add("neg", [x])]));
        var executor = new GraphExecutor(g);

        var mostlyPositive = Row(2, -1, 3);
        Assert.Equal([2f, 0, 3], Single(executor.Run(mostlyPositive)).ToArray<float>());
        var mostlyNegative = Tensor.FromArray(new float[] { -2, 1, -3, 0, 0, -1 }, 2, 3);
        Assert.Equal([2f, -1, 3, -0f, -0f, 1], Single(executor.Run(mostlyNegative)).ToArray<float>());
    }

    [Fact]
    public void If_on_a_scalar_condition_computed_by_primitives()
    {
        // Batches under 3 rows take relu, larger ones neg: the condition is size(x, 0) < 3.
        var g = new IrGraph("by_batch");
        var x = g.AddInput("x", F32(Batch));
        var b = new GraphBuilder(g);
        var small = b.Prim("scalar_lt", [b.Prim("tensor_size", [x], new Attrs { { "dim", 0 } }), b.Constant(3L)]);
        b.Return(b.If(small, t => [t.Add("relu", [x])], e => [e.Add("neg", [x])]));
        var executor = new GraphExecutor(g);

        Assert.Equal([1f, 0], Single(executor.Run(Tensor.FromArray(new float[] { 1, -2 }))).ToArray<float>());
        Assert.Equal([-1f, 2, -4], Single(executor.Run(Tensor.FromArray(new float[] { 1, -2, 4 }))).ToArray<float>());
    }

    [Fact]
    public void While_loop_stops_when_its_tensor_condition_fails_and_counts_with_scalar_primitives()
    {
        // t = x; n = 0; while sum(t) < limit (at most 100 times): t = t * 2; n = n + 1
        var g = new IrGraph("doubling");
        var x = g.AddInput("x", F32(Batch));
        var limit = g.AddInput("limit", F32());
        var b = new GraphBuilder(g);
        var two = b.Constant(DenseConstant.Splat(F32(), 2));
        var final = b.Loop(b.Constant(100L), [x, b.Constant(0L)], (body, i, carried) =>
        {
            var doubled = body.Add("mul", [carried[0], two]);
            return new LoopStep([doubled, body.Prim("scalar_add", [carried[1], body.Constant(1L)])], body.Add("lt", [body.Add("sum", [doubled]), limit]));
        }, condition: b.Add("lt", [b.Add("sum", [x]), limit]));
        b.Return(final);
        var executor = new GraphExecutor(g);

        var outputs = executor.Run(Tensor.FromArray(new float[] { 1, 2 }), Tensor.Scalar(20f));
        Assert.Equal([8f, 16], Assert.IsType<Tensor>(outputs[0]).ToArray<float>());
        Assert.Equal(3L, outputs[1]);

        var alreadyDone = executor.Run(Tensor.FromArray(new float[] { 30 }), Tensor.Scalar(20f));
        Assert.Equal([30f], Assert.IsType<Tensor>(alreadyDone[0]).ToArray<float>());
        Assert.Equal(0L, alreadyDone[1]);
    }

    [Fact]
    public void Loop_takes_a_0d_integer_tensor_trip_count_and_passes_the_iteration_index()
    {
        // total = sum of i for i < n, as a float carried through a loop.
        var g = new IrGraph("triangle");
        var n = g.AddInput("n", TensorValueType.Of(DType.Int64));
        var b = new GraphBuilder(g);
        var total = b.Loop(n, [b.Constant(0.0)], (body, i, carried) => new LoopStep([body.Prim("scalar_add", [carried[0], i])]));
        b.Return(total);

        Assert.Equal(10.0, Assert.Single(new GraphExecutor(g).Run(Tensor.Scalar(5L))));
        Assert.Equal(0.0, Assert.Single(new GraphExecutor(g).Run(Tensor.Scalar(0L))));
    }

    [Fact]
    public void Tuples_and_lists_pack_and_unpack_with_negative_list_indices()
    {
        var g = new IrGraph("pack");
        var x = g.AddInput("x", F32(2));
        var y = g.AddInput("y", F32(2));
        var b = new GraphBuilder(g);
        var pair = b.Tuple(x, b.Constant(7L));
        var list = b.List(F32(2), x, y);
        b.Return(b.TupleGet(pair, 1), b.ListGet(list, b.Constant(-1L)), list, pair);
        var (tx, ty) = (Tensor.FromArray(new float[] { 1, 2 }), Tensor.FromArray(new float[] { 3, 4 }));

        var outputs = new GraphExecutor(g).Run(tx, ty);

        Assert.Equal(7L, outputs[0]);
        Assert.Same(ty, outputs[1]);
        Assert.Equal([tx, ty], Assert.IsAssignableFrom<IReadOnlyList<object?>>(outputs[2]));
        Assert.Equal([tx, 7L], Assert.IsType<object?[]>(outputs[3]));
    }

    [Fact]
    public void Tensor_primitives_read_sizes_and_items_and_make_tensors_at_each_batch_size()
    {
        // y = x * float(size(x, 0) * 2); also numel(x) and the first element as a scalar.
        var g = new IrGraph("sizes");
        var x = g.AddInput("x", F32(Batch, 2));
        var b = new GraphBuilder(g);
        var doubledBatch = b.Prim("scalar_mul", [b.Prim("tensor_size", [x], new Attrs { { "dim", 0 } }), b.Constant(2L)]);
        var factor = b.Prim("tensor_from_scalar", [doubledBatch], new Attrs { { "dtype", DType.Float32 } });
        var first = b.Add("select", [b.Add("select", [x], new Attrs { { "dim", 0 }, { "index", 0 } })], new Attrs { { "dim", 0 }, { "index", 0 } });
        b.Return(b.Add("mul", [x, factor]), b.Prim("tensor_numel", [x]), b.Prim("tensor_item", [first]));
        var executor = new GraphExecutor(g);

        foreach (long batch in new long[] { 1, 3 })
        {
            var input = Tensor.Arange(1.0, 2 * batch + 1, dtype: DType.Float32).Reshape(batch, 2);
            var outputs = executor.Run(input);
            Assert.Equal(input.Mul(2.0 * batch).ToArray<float>(), Assert.IsType<Tensor>(outputs[0]).ToArray<float>());
            Assert.Equal(2 * batch, outputs[1]);
            Assert.Equal(1.0, outputs[2]);
        }
    }

    [Fact]
    public void Calls_in_a_parsed_module_run_the_callee_on_their_operands()
    {
        var module = KirParser.ParseModule("""
            graph @scale_shift(%x: f32[?b, 2], param %w: f32[2]) -> (f32[?b, 2]) {
              %scaled: f32[?b, 2] = mul(%x, %w)
              %y: f32[?b, 2] = add(%scaled, %x)
              return %y
            }
            graph @twice(%x: f32[?b, 2], param %w: f32[2]) -> (f32[?b, 2]) {
              %once: f32[?b, 2] = call @scale_shift(%x, %w)
              %again: f32[?b, 2] = call @scale_shift(%once, %w)
              return %again
            }
            """);
        var w = Tensor.FromArray(new float[] { 2, -1 });
        var input = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);

        var output = Single(new GraphExecutor(module.Find("twice")!, new Dictionary<string, Tensor> { ["w"] = w }).Run(input));

        var once = input.Mul(w).Add(input);
        Assert.Equal(once.Mul(w).Add(once).ToArray<float>(), output.ToArray<float>());
    }

    [Fact]
    public void Dense_constants_take_symbolic_sizes_from_the_inputs()
    {
        var g = new IrGraph("dense");
        var x = g.AddInput("x", F32(Batch, 3));
        var b = new GraphBuilder(g);
        var ones = b.Constant(DenseConstant.Splat(F32(Batch, 3), 1));
        var row = b.Constant(new DenseConstant(F32(3), [10, 20, 30]));
        b.Return(b.Add("add", [b.Add("add", [x, ones]), row]), ones);
        var executor = new GraphExecutor(g);

        var outputs = executor.Run(Tensor.Zeros(2, 3));

        Assert.Equal([11f, 21, 31, 11, 21, 31], Assert.IsType<Tensor>(outputs[0]).ToArray<float>());
        Assert.Equal([2L, 3], Assert.IsType<Tensor>(outputs[1]).Shape);
        Assert.Equal([4L, 3], Assert.IsType<Tensor>(executor.Run(Tensor.Zeros(4, 3))[1]).Shape);
    }
}
