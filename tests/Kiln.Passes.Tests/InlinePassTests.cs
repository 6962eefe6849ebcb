using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.Passes.Tests;

public class InlinePassTests
{
    private static GraphModule Nested()
    {
        var inner = new IR.Graph("inner");
        var x = inner.AddInput("x", F32(Batch, 4));
        var ib = new GraphBuilder(inner) { Span = At(3, 5) };
        ib.Return(ib.Add("relu", [x]));

        var outer = new IR.Graph("outer");
        var y = outer.AddInput("y", F32(Batch, 4));
        var w = outer.AddParameter("w", F32(4, 4));
        var ob = new GraphBuilder(outer) { Span = At(8, 5) };
        var h = ob.Call(inner, [ob.Add("matmul", [y, w])])[0];
        ob.Return(h, y);

        var model = new IR.Graph("model");
        var input = model.AddInput("input", F32(Batch, 4));
        var p = model.AddParameter("p", F32(4, 4));
        var mb = new GraphBuilder(model) { Span = At(20, 9) };
        var positive = mb.Add("gt", [mb.Add("sum", [input]), mb.Constant(DenseConstant.Splat(F32(), 0))]);
        var r = mb.If(positive, t => [t.Call(outer, [input, p])[0]], e => [e.Add("neg", [input])]);
        var both = mb.Call(outer, [r[0], p]);
        mb.Return(both[0], both[1]);
        return new GraphModule([inner, outer, model]);
    }

    [Fact]
    public void Calls_are_replaced_by_callee_bodies_recursively_and_inside_blocks()
    {
        var model = Nested().Graphs[2];
        var before = KirPrinter.Print(model);
        Assert.True(new PassManager([new InlinePass()]).Passes[0].Run(model, new PassContext()));
        GraphVerifier.Verify(model);
        Assert.DoesNotContain(model.AllNodes(), n => n.Kind == NodeKind.Call);
        Assert.Equal(3, model.AllNodes().Count(n => n.Name == "matmul") + model.AllNodes().Count(n => n.Name == "neg"));
        Assert.Equal(2, model.AllNodes().Count(n => n.Name == "relu"));
        var text = KirPrinter.Print(model);
        // The inlined relu keeps the callee's span; the second output is the call's operand itself.
        Assert.Contains("%5: f32[?b, 4] = relu(%4) loc(\"model.cs\":3:5)", text, StringComparison.Ordinal);
        Assert.EndsWith("return %8, %3\n}\n", text, StringComparison.Ordinal);
        Assert.NotEqual(before, text);
        Assert.False(new InlinePass().Run(model, new PassContext()));
    }

    [Fact]
    public void Inlining_a_parsed_module_through_the_manager_verifies()
    {
        var module = KirParser.ParseModule(KirPrinter.Print(Nested()));
        var model = module.Find("model")!;
        PassManager.Parse("inline").Run(model);
        Assert.DoesNotContain(model.AllNodes(), n => n.Kind == NodeKind.Call);
        Assert.Single(module.Graphs[1].AllNodes(), n => n.Kind == NodeKind.Call);
    }
}
