using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class SymbolicInferenceTests
{
    private static TensorValueType[] Infer(string op, Attrs? attrs, params TensorValueType[] inputs) =>
        SymbolicInference.Infer(OpRegistry.Get(op), inputs, attrs ?? []);

    [Fact]
    public void Matmul_keeps_the_batch_symbol()
    {
        var r = Infer("matmul", null, F32(Batch, 784), F32(784, 512));
        Assert.Equal(F32(Batch, 512), Assert.Single(r));
        Assert.Equal("f32[?b, 512]", r[0].ToString());
    }

    [Fact]
    public void Broadcasting_a_symbol_against_1_or_itself_gives_the_symbol()
    {
        Assert.Equal(F32(Batch, 3), Infer("add", null, F32(Batch, 3), F32(1, 3))[0]);
        Assert.Equal(F32(Batch, 3), Infer("mul", null, F32(Batch, 1), F32(Batch, 3))[0]);
        Assert.Equal(F32(Batch, 3), Infer("add", null, F32(3), F32(Batch, 3))[0]);
    }

    [Fact]
    public void Broadcasting_two_different_symbols_is_an_error_that_shows_the_symbols()
    {
        var e = Assert.Throws<ArgumentException>(() => Infer("add", null, F32(Dim.Sym("a"), 3), F32(Dim.Sym("n"), 3)));
        Assert.Contains("add", e.Message, StringComparison.Ordinal);
        Assert.Contains("?a", e.Message, StringComparison.Ordinal);
        Assert.Contains("?n", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("100003", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broadcasting_a_symbol_against_a_constant_other_than_1_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => Infer("add", null, F32(Batch, 3), F32(5, 3)));
    }

    [Fact]
    public void Reshape_with_minus_one_recovers_the_symbol()
    {
        var r = Infer("reshape", new Attrs { { "shape", new long[] { -1, 400 } } }, F32(Batch, 16, 5, 5));
        Assert.Equal(F32(Batch, 400), r[0]);
    }

    [Fact]
    public void A_dim_computed_from_a_symbol_is_reported()
    {
        // A convolution over a symbolic height gives (?h - 2), which no symbol or constant expresses.
        var e = Assert.Throws<ArgumentException>(() => Infer("conv2d", null, F32(1, 1, Dim.Sym("h"), 8), F32(4, 1, 3, 3)));
        Assert.Contains("conv2d", e.Message, StringComparison.Ordinal);
        Assert.Contains("?h", e.Message, StringComparison.Ordinal);
        Assert.Contains("dim 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symbols_that_do_not_reach_the_result_leave_constant_dims()
    {
        var r = Infer("sum", new Attrs { { "dim", new long[] { 0 } } }, F32(Batch, 7));
        Assert.Equal(F32(7), r[0]);
    }

    [Fact]
    public void Reductions_over_everything_give_a_0d_tensor_and_multi_result_ops_keep_symbols()
    {
        Assert.Equal(F32(), Infer("sum", null, F32(Batch, 7))[0]);
        var pieces = Infer("chunk", new Attrs { { "chunks", 2 }, { "dim", 1 } }, F32(Batch, 8));
        Assert.Equal([F32(Batch, 4), F32(Batch, 4)], pieces);
    }

    [Fact]
    public void Dynamic_dims_stay_dynamic()
    {
        var r = Infer("relu", null, F32(Dim.Dynamic, 3));
        Assert.Equal("f32[?, 3]", r[0].ToString());
        Assert.True(r[0].Shape[0].IsDynamic);
    }

    [Fact]
    public void Concrete_types_convert_both_ways_and_bind_symbols()
    {
        var t = F32(Batch, 3);
        Assert.False(t.IsConcrete);
        Assert.Equal(new TensorType(DType.Float32, [5, 3]), t.Bind(new Dictionary<string, long> { ["b"] = 5 }));
        var sizes = new Dictionary<string, long>();
        Assert.True(t.Admits(new TensorType(DType.Float32, [5, 3]), sizes));
        Assert.False(F32(Batch, Batch).Admits(new TensorType(DType.Float32, [5, 3]), new Dictionary<string, long>()));
        Assert.Equal(5, sizes["b"]);
        Assert.Throws<InvalidOperationException>(() => t.ToConcrete());
        Assert.Equal(F32(2, 3), TensorValueType.FromConcrete(new TensorType(DType.Float32, [2, 3])));
    }
}
