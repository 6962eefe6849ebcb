using Kiln.IR;
using static Kiln.IR.Tests.Graph.TestGraphs;

namespace Kiln.IR.Tests.Graph;

public class GraphVerifierTests
{
    private static IrError SingleError(IR.Graph g) => Assert.Single(GraphVerifier.Check(g));

    private static IrError SingleError(string text) => SingleError(KirParser.Parse(text, verify: false));

    [Fact]
    public void Valid_graphs_have_no_errors()
    {
        foreach (var g in new[] { Mlp(), LeNet(), LstmLoop(), IfOnTensor() })
            Assert.Empty(GraphVerifier.Check(g));
    }

    [Fact]
    public void A_use_before_the_definition_names_the_node_its_op_and_its_span()
    {
        var g = Mlp();
        var last = g.Body.Nodes[^1];
        var early = g.CreateNode(NodeKind.Op, OpRegistry.Get("neg"), [last.Result], [], [last.Result.Type]);
        early.Span = At(3, 4);
        g.Body.Insert(0, early);
        var e = SingleError(g);
        Assert.Same(early, e.Node);
        Assert.Equal("model.cs:3:4: %0 = neg: operand 0 (%2) is not defined before this node in this block or an enclosing one", e.ToString());
        var thrown = Assert.Throws<IrException>(() => GraphVerifier.Verify(g));
        Assert.Contains("%0 = neg", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_defined_inside_a_block_are_not_visible_after_it()
    {
        var g = IfOnTensor();
        var ifNode = g.Body.Nodes.Single(n => n.Kind == NodeKind.If);
        var inner = ifNode.Blocks[0].Nodes[0].Result;
        var outside = g.CreateNode(NodeKind.Op, OpRegistry.Get("neg"), [inner], [], [inner.Type]);
        g.Body.Insert(g.Body.Nodes.Count, outside);
        var e = SingleError(g);
        Assert.Contains("= neg: operand 0 (%3) is not defined before this node", e.ToString(), StringComparison.Ordinal);

        g.Body.Remove(outside);
        g.SetOutputs([inner]);
        var ret = SingleError(g);
        Assert.Null(ret.Node);
        Assert.Contains("graph: returned value 0 (%3) is not defined", ret.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Outer_values_are_visible_inside_blocks()
    {
        // The LSTM body reads the graph's parameters and the list input from the enclosing block.
        var g = LstmLoop();
        var body = g.Body.Nodes.Single(n => n.Kind == NodeKind.Loop).Blocks[0];
        Assert.Contains(body.AllNodes().SelectMany(n => n.Operands), v => g.IsParameter(v));
        Assert.Empty(GraphVerifier.Check(g));
    }

    [Fact]
    public void Declared_types_must_match_inference()
    {
        var e = SingleError("""
            graph @g(%x: f32[?b, 784], %w: f32[512, 784], %bias: f32[512]) -> (f32[?b, 511]) {
              %y: f32[?b, 511] = linear(%x, %w, %bias) loc("net.cs":4:2)
              return %y
            }
            """);
        Assert.Equal("net.cs:4:2: %y = linear: result 0 (%y) is declared f32[?b, 511] but linear gives f32[?b, 512]", e.ToString());
    }

    [Fact]
    public void Symbol_mismatches_are_errors_at_the_node()
    {
        var e = SingleError("""
            graph @g(%x: f32[?a, 3], %y: f32[?n, 3]) -> (f32[?a, 3]) {
              %z: f32[?a, 3] = add(%x, %y) loc("net.cs":7:1)
              return %z
            }
            """);
        Assert.StartsWith("net.cs:7:1: %z = add: shapes [?a, 3] and [?n, 3] cannot be broadcast", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_attributes_are_rejected()
    {
        var e = SingleError("""
            graph @g(%x: f32[3]) -> (f32[3]) {
              %y: f32[3] = relu(%x) {slope=0.5} loc("net.cs":2:5)
              return %y
            }
            """);
        Assert.Equal("net.cs:2:5: %y = relu: unknown attribute 'slope'; the op takes no attributes", e.ToString());
    }

    [Fact]
    public void If_branches_must_return_the_result_types_and_the_condition_must_be_bool()
    {
        var branches = SingleError("""
            graph @g(%x: f32[?b, 4], %c: bool) -> (f32[?b, 4]) {
              %r: f32[?b, 4] = if(%c) {
              then:
                return %x
              else:
                %s: f32[] = sum(%x)
                return %s
              } loc("net.cs":9:3)
              return %r
            }
            """);
        Assert.Equal("net.cs:9:3: %r = if: the else block returns (f32[]) but the if's results are (f32[?b, 4])", branches.ToString());

        var condition = SingleError("""
            graph @g(%x: f32[?b, 4], %c: f32[]) -> (f32[?b, 4]) {
              %r: f32[?b, 4] = if(%c) {
              then:
                return %x
              else:
                return %x
              }
              return %r
            }
            """);
        Assert.Equal("%r = if: the condition has type f32[]; expected bool or a 0-d bool tensor (bool[])", condition.ToString());
    }

    [Fact]
    public void Loop_carried_types_must_match_everywhere()
    {
        var e = SingleError("""
            graph @g(%n: int, %h: f32[?b, 3]) -> (f32[?b, 3]) {
              %t: bool = constant true
              %r: f32[?b, 3] = loop(%n, %t, %h) {
              body(%i: int, %hc: f32[?b, 3]):
                %s: f32[] = sum(%hc)
                return %t, %s
              } loc("net.cs":11:1)
              return %r
            }
            """);
        Assert.Equal("net.cs:11:1: %r = loop: the body returns carried values (f32[]) but the carried values are (f32[?b, 3])", e.ToString());

        var index = SingleError("""
            graph @g(%n: int, %h: f32[3]) -> (f32[3]) {
              %t: bool = constant true
              %r: f32[3] = loop(%n, %t, %h) {
              body(%i: float, %hc: f32[3]):
                return %t, %hc
              }
              return %r
            }
            """);
        Assert.Contains("the body's first parameter must be the iteration index, of type int", index.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constants_and_structural_nodes_are_type_checked()
    {
        var e = SingleError("""
            graph @g() -> (float) {
              %c: float = constant 3
              return %c
            }
            """);
        Assert.Equal("%c = constant: result 0 (%c) is declared float but constant gives int", e.ToString());

        var get = SingleError("""
            graph @g(%t: tuple<f32[2], int>) -> (int) {
              %e: int = tuple_get(%t) {index=2}
              return %e
            }
            """);
        Assert.Equal("%e = tuple_get: attribute 'index' must be in [0, 1] for tuple<f32[2], int>, got 2", get.ToString());
    }

    [Fact]
    public void All_errors_are_reported_in_graph_order()
    {
        var errors = GraphVerifier.Check(KirParser.Parse("""
            graph @g(%x: f32[3]) -> (f32[3]) {
              %a: f32[4] = relu(%x)
              %b: f32[3] = neg(%x) {bad=1}
              return %b
            }
            """, verify: false));
        Assert.Equal(["%a = relu", "%b = neg"], errors.Select(e => e.Where));
    }
}
