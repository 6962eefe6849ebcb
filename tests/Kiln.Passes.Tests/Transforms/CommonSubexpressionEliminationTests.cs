using Kiln.IR;
using Kiln.IR.Tests.Graph;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

public class CommonSubexpressionEliminationTests
{
    private static readonly CommonSubexpressionElimination Cse = new();

    [Fact]
    public void Repeated_nodes_merge_and_so_do_the_nodes_that_read_them()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3]) -> (f32[3]) {
              %a1: f32[3] = relu(%x)
              %a2: f32[3] = relu(%x)
              %e1: f32[3] = exp(%a1)
              %e2: f32[3] = exp(%a2)
              %y: f32[3] = add(%e1, %e2)
              return %y
            }
            """, Cse);
        Assert.Equal(
            """
            graph @g(%x: f32[3]) -> (f32[3]) {
              %a1: f32[3] = relu(%x)
              %e1: f32[3] = exp(%a1)
              %y: f32[3] = add(%e1, %e1)
              return %y
            }

            """, text);
    }

    [Fact]
    public void Different_attributes_or_operand_order_do_not_merge()
    {
        Unchanged(
            """
            graph @g(%x: f32[3, 4], %z: f32[3, 4]) -> (f32[3], f32[4], f32[3, 4], f32[3, 4]) {
              %a: f32[3] = sum(%x) {dim=[1]}
              %b: f32[4] = sum(%x) {dim=[0]}
              %c: f32[3, 4] = sub(%x, %z)
              %d: f32[3, 4] = sub(%z, %x)
              return %a, %b, %c, %d
            }
            """, Cse);
    }

    [Fact]
    public void Random_ops_never_merge()
    {
        Unchanged(
            """
            graph @g(%x: f32[3]) -> (f32[3], f32[3]) {
              %a: f32[3] = bernoulli(%x)
              %b: f32[3] = bernoulli(%x)
              return %a, %b
            }
            """, Cse);
    }

    [Fact]
    public void Inline_constants_merge_by_value_and_dtype()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3], int, float) {
              %one: f32[] = constant dense<1.0>
              %one_again: f32[] = constant dense<1.0>
              %one_int: i64[] = constant dense<1>
              %zero: f32[] = constant dense<0.0>
              %minus_zero: f32[] = constant dense<-0.0>
              %a: f32[3] = add(%x, %one)
              %b: f32[3] = add(%x, %one_again)
              %c: f32[3] = add(%x, %one_int)
              %d: f32[3] = add(%x, %zero)
              %e: f32[3] = add(%x, %minus_zero)
              %i: int = constant 1
              %f: float = constant 1.0
              return %a, %b, %c, %d, %e, %i, %f
            }
            """, Cse);
        Assert.DoesNotContain("%one_again", text, StringComparison.Ordinal);
        Assert.DoesNotContain("%b:", text, StringComparison.Ordinal);
        Assert.Contains("return %a, %a, %c, %d, %e, %i, %f", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_constants_merge_by_name()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3]) -> (f32[3], f32[3]) {
              %w: f32[3] = constant @w
              %w_again: f32[3] = constant @w
              %v: f32[3] = constant @v
              %a: f32[3] = mul(%x, %w)
              %b: f32[3] = mul(%x, %w_again)
              %c: f32[3] = mul(%x, %v)
              return %b, %c
            }
            """, Cse);
        Assert.Contains("return %a, %c", text, StringComparison.Ordinal);
        Assert.Equal(2, Count(KirParser.Parse(text), "constant"));
    }

    [Fact]
    public void An_enclosing_node_replaces_a_nested_copy_but_not_the_other_way_round()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3], f32[3]) {
              %r: f32[3] = relu(%x)
              %y: f32[3] = if(%c) {
              then:
                %r_then: f32[3] = relu(%x)
                %e: f32[3] = exp(%x)
                %s: f32[3] = add(%r_then, %e)
                return %s
              else:
                %e_else: f32[3] = exp(%x)
                return %e_else
              }
              %e_after: f32[3] = exp(%x)
              return %y, %e_after
            }
            """, Cse);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3], f32[3]) {
              %r: f32[3] = relu(%x)
              %y: f32[3] = if(%c) {
              then:
                %e: f32[3] = exp(%x)
                %s: f32[3] = add(%r, %e)
                return %s
              else:
                %e_else: f32[3] = exp(%x)
                return %e_else
              }
              %e_after: f32[3] = exp(%x)
              return %y, %e_after
            }

            """, text);
    }

    [Fact]
    public void Inside_a_loop_body_repeats_merge_with_each_other_and_with_outer_nodes()
    {
        var graph = TestGraphs.LstmLoop();
        var body = graph.Body.Nodes.Single(n => n.Kind == NodeKind.Loop).Blocks[0];
        var sigmoids = body.Nodes.Where(n => n.Name == "sigmoid").ToArray();
        // A second sigmoid of the input gate, read by the cell update.
        var b = GraphBuilder.Before(body.Nodes.Single(n => n.Results is [{ Name: "c_next" }]));
        var again = b.Add("sigmoid", [sigmoids[0].Operands[0]]);
        var mul = body.Nodes.Single(n => n.Name == "mul" && n.Operands[0] == sigmoids[0].Result);
        mul.SetOperand(0, again);
        int nodes = graph.AllNodes().Count();
        Apply(graph, Cse);
        // The repeated sigmoid goes, and so does the body's own constant true (the outer one is visible).
        Assert.Equal(nodes - 2, graph.AllNodes().Count());
        Assert.Equal(sigmoids[0].Result, mul.Operands[0]);
    }

    [Fact]
    public void Nodes_with_blocks_never_merge()
    {
        Unchanged(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3], f32[3]) {
              %a: f32[3] = if(%c) {
              then:
                return %x
              else:
                return %x
              }
              %b: f32[3] = if(%c) {
              then:
                return %x
              else:
                return %x
              }
              return %a, %b
            }
            """, Cse);
    }

    [Fact]
    public void The_lstm_body_reads_the_outer_true_instead_of_its_own()
    {
        var graph = TestGraphs.LstmLoop();
        var outerTrue = graph.Body.Nodes[0].Result;
        var text = Apply(graph, Cse);
        Assert.Equal(1, Count(graph, "constant"));
        Assert.Equal(outerTrue, graph.Body.Nodes.Single(n => n.Kind == NodeKind.Loop).Blocks[0].Returns[0]);
        Assert.Contains("    return %0, %h_next, %c_next", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_other_sample_models_have_nothing_to_merge()
    {
        Unchanged(TestGraphs.Mlp(), Cse);
        Unchanged(TestGraphs.LeNet(), Cse);
        Unchanged(TestGraphs.IfOnTensor(), Cse);
    }
}
