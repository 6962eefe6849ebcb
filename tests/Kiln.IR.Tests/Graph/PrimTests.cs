using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class PrimTests
{
    private static object? Eval(string prim, params object?[] operands) => Prims.Find(prim)!.Evaluate!(operands, Attrs.Empty)[0];

    [Theory]
    [InlineData("scalar_add", 7L, 2L, 9L)]
    [InlineData("scalar_sub", 7L, 2L, 5L)]
    [InlineData("scalar_mul", 7L, -2L, -14L)]
    [InlineData("scalar_floordiv", -7L, 2L, -4L)]
    [InlineData("scalar_floordiv", 7L, -2L, -4L)]
    [InlineData("scalar_mod", -7L, 2L, 1L)]
    [InlineData("scalar_mod", 7L, -2L, -1L)]
    [InlineData("scalar_min", 7L, 2L, 2L)]
    [InlineData("scalar_max", 7L, 2L, 7L)]
    [InlineData("scalar_div", 7L, 2L, 3.5)]
    [InlineData("scalar_add", 1L, 0.5, 1.5)]
    [InlineData("scalar_floordiv", -7.0, 2L, -4.0)]
    [InlineData("scalar_mod", -7.5, 2.0, 0.5)]
    [InlineData("scalar_lt", 1L, 1.5, true)]
    [InlineData("scalar_ge", 2L, 2L, true)]
    [InlineData("scalar_eq", true, false, false)]
    [InlineData("scalar_ne", 3L, 3.0, false)]
    [InlineData("scalar_and", true, false, false)]
    [InlineData("scalar_or", true, false, true)]
    public void Binary_prims_follow_python(string prim, object a, object b, object expected) =>
        Assert.Equal(expected, Eval(prim, a, b));

    [Fact]
    public void Unary_prims_and_conversions()
    {
        Assert.Equal(-3L, Eval("scalar_neg", 3L));
        Assert.Equal(false, Eval("scalar_not", true));
        Assert.Equal(2.0, Eval("scalar_to_float", 2L));
        Assert.Equal(-2L, Eval("scalar_to_int", -2.9));
        Assert.Equal(1L, Eval("scalar_to_int", true));
        Assert.Equal(3L, Eval("list_len", (object)new object?[] { 1L, 2L, 3L }));
        var appended = (IReadOnlyList<object?>)Eval("list_append", new object?[] { 1L }, 2L)!;
        Assert.Equal([1L, 2L], appended);
    }

    [Theory]
    [InlineData("scalar_floordiv", 1L, 0L, "scalar_floordiv: integer division by zero")]
    [InlineData("scalar_mul", long.MaxValue, 2L, "scalar_mul: the result of")]
    [InlineData("scalar_floordiv", long.MinValue, -1L, "overflows a 64-bit int")]
    public void Integer_errors_name_the_prim(string prim, long a, long b, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Eval(prim, a, b));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float_division_by_zero_is_ieee() => Assert.Equal(double.PositiveInfinity, Eval("scalar_div", 1L, 0L));

    [Fact]
    public void Prim_names_do_not_collide_with_ops_or_keywords()
    {
        foreach (var p in Prims.All)
        {
            Assert.Null(OpRegistry.Find(p.Name));
            Assert.False(NodeKinds.TryParse(p.Name, out _), p.Name);
        }
    }

    [Fact]
    public void Shape_arithmetic_builds_prints_and_parses()
    {
        var g = new IR.Graph("half");
        var x = g.AddInput("x", F32(Batch, 6));
        var b = new GraphBuilder(g);
        var n = b.Prim("tensor_size", [x], new Attrs { { "dim", 0 } });
        var half = b.Prim("scalar_floordiv", [n, b.Constant(2L)]);
        var big = b.Prim("scalar_gt", [half, b.Prim("scalar_to_float", [b.Constant(1L)])]);
        var t = b.Prim("tensor_from_scalar", [half]);
        var item = b.Prim("tensor_item", [t]);
        b.Return(big, t, item);
        var text = KirPrinter.Print(g);
        Assert.Contains("%0: int = tensor_size(%x) {dim=0}", text, StringComparison.Ordinal);
        Assert.Contains(": bool = scalar_gt(", text, StringComparison.Ordinal);
        Assert.Contains(": i64[] = tensor_from_scalar(", text, StringComparison.Ordinal);
        Assert.Equal(text, KirPrinter.Print(KirParser.Parse(text)));
    }

    [Theory]
    [InlineData("scalar_add", "expected 2 int or float operand(s), got (f32[?b, 6], int)")]
    [InlineData("list_len", "expected one list operand")]
    [InlineData("tensor_item", "the tensor must have one element, but its type is f32[?b, 6]")]
    public void Bad_operands_are_rejected_naming_the_prim(string prim, string message)
    {
        var g = new IR.Graph("bad");
        var x = g.AddInput("x", F32(Batch, 6));
        var b = new GraphBuilder(g);
        var one = b.Constant(1L);
        var e = Assert.Throws<IrException>(() => b.Prim(prim, prim == "scalar_add" ? [x, one] : [x]));
        Assert.Contains(prim, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_size_checks_its_dim()
    {
        var g = new IR.Graph("bad");
        var x = g.AddInput("x", F32(Batch, 6));
        var e = Assert.Throws<IrException>(() => new GraphBuilder(g).Prim("tensor_size", [x], new Attrs { { "dim", 2 } }));
        Assert.Contains("dim 2 is out of range for f32[?b, 6]", e.Message, StringComparison.Ordinal);
    }
}
