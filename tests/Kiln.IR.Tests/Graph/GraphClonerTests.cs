using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class GraphClonerTests
{
    [Fact]
    public void Clones_print_identically_and_share_no_values()
    {
        foreach (var g in new[] { Mlp(), LeNet(), LstmLoop(), IfOnTensor() })
        {
            var copy = GraphCloner.Clone(g);
            Assert.Equal(KirPrinter.Print(g), KirPrinter.Print(copy));
            Assert.Empty(GraphVerifier.Check(copy));
            Assert.DoesNotContain(copy.AllNodes().SelectMany(n => n.Operands), v => v.Graph != copy);
            Assert.Equal(g.Parameters.Count, copy.Parameters.Count);
        }
    }

    [Fact]
    public void A_block_inlines_into_another_graph_through_the_value_map()
    {
        var callee = Mlp();
        var caller = new IR.Graph("caller");
        var x = caller.AddInput("input", F32(Batch, 784));
        var map = new Dictionary<Value, Value> { [callee.Inputs[0]] = x };
        foreach (var p in callee.Parameters) map[p] = caller.AddParameter("mlp." + p.Name, p.Type);
        var outputs = GraphCloner.CloneInto(callee.Body, caller.Body, map);
        var b = new GraphBuilder(caller);
        caller.SetOutputs([b.Add("relu", outputs)]);
        Assert.Empty(GraphVerifier.Check(caller));
        Assert.Equal(4, caller.Body.Nodes.Count);
        Assert.Same(x, caller.Body.Nodes[0].Operands[0]);
        Assert.Equal(At(12, 9), caller.Body.Nodes[0].Span);
    }
}
