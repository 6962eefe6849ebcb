using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class GraphModuleTests
{
    /// <summary>A block graph (linear → relu with its own weights) called twice by a model graph.</summary>
    internal static GraphModule TwoBlocks()
    {
        var block = new IR.Graph("block");
        var x = block.AddInput("x", F32(Batch, 8));
        var w = block.AddParameter("weight", F32(8, 8));
        var bias = block.AddParameter("bias", F32(8));
        var bb = new GraphBuilder(block) { Span = At(5, 9) };
        bb.Return(bb.Add("relu", [bb.Add("linear", [x, w, bias])]));

        var model = new IR.Graph("model");
        var input = model.AddInput("x", F32(Batch, 8));
        var w1 = model.AddParameter("l1.weight", F32(8, 8));
        var b1 = model.AddParameter("l1.bias", F32(8));
        var w2 = model.AddParameter("l2.weight", F32(8, 8));
        var b2 = model.AddParameter("l2.bias", F32(8));
        var mb = new GraphBuilder(model) { Span = At(20, 9) };
        var h = mb.Call(block, [input, w1, b1])[0];
        mb.Return(mb.Call(block, [h, w2, b2])[0]);
        return new GraphModule([block, model]);
    }

    [Fact]
    public void A_module_with_calls_prints_and_parses_back()
    {
        var text = KirPrinter.Print(TwoBlocks());
        Assert.Contains("graph @block(", text, StringComparison.Ordinal);
        Assert.Contains("%0: f32[?b, 8] = call @block(%x, %l1.weight, %l1.bias) loc(\"model.cs\":20:9)", text, StringComparison.Ordinal);
        var parsed = KirParser.ParseModule(text);
        Assert.Equal(["block", "model"], parsed.Graphs.Select(g => g.Name));
        Assert.Same(parsed.Graphs[0], parsed.Graphs[1].Body.Nodes[0].Callee);
        Assert.Equal(text, KirPrinter.Print(parsed));
    }

    [Fact]
    public void Cloning_keeps_the_callee_and_prims()
    {
        var model = TwoBlocks().Graphs[1];
        var copy = GraphCloner.Clone(model);
        Assert.Same(model.Body.Nodes[0].Callee, copy.Body.Nodes[0].Callee);
        Assert.Equal(KirPrinter.Print(model), KirPrinter.Print(copy));
    }

    [Fact]
    public void A_call_with_the_wrong_operand_type_is_rejected()
    {
        var module = TwoBlocks();
        var g = new IR.Graph("bad");
        var x = g.AddInput("x", F32(Batch, 4));
        var e = Assert.Throws<IrException>(() => new GraphBuilder(g).Call(module.Graphs[0], [x, x, x]));
        Assert.Contains("operand 0 has type f32[?b, 4] but @block's input %x is f32[?b, 8]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("graph @m(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = call @nowhere(%x)\n  return %y\n}", "no graph named @nowhere is defined above this call")]
    [InlineData("graph @m(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = call @m(%x)\n  return %y\n}", "graph @m calls itself")]
    [InlineData("graph @m(%x: f32[3]) -> (f32[3]) {\n  return %x\n}\ngraph @m(%x: f32[3]) -> (f32[3]) {\n  return %x\n}", "graph @m is defined twice")]
    public void Bad_modules_are_rejected(string text, string message)
    {
        var e = Assert.Throws<KirParseException>(() => KirParser.ParseModule(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_call_result_with_the_wrong_declared_type_fails_verification()
    {
        var text = "graph @id(%x: f32[3]) -> (f32[3]) {\n  return %x\n}\ngraph @m(%x: f32[3]) -> (f32[4]) {\n  %y: f32[4] = call @id(%x)\n  return %y\n}";
        var e = Assert.Throws<IrException>(() => KirParser.ParseModule(text));
        Assert.Contains("%y = call: result 0 (%y) is declared f32[4] but call gives f32[3]", e.Message, StringComparison.Ordinal);
    }
}
