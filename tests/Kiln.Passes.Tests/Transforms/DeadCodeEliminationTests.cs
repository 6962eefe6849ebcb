using Kiln.IR;
using Kiln.IR.Tests.Graph;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

public class DeadCodeEliminationTests
{
    private static readonly DeadCodeElimination Dce = new();

    [Fact]
    public void Unread_chains_go_and_the_signature_stays()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3], %unused: f32[3]) -> (f32[3]) {
              %a: f32[3] = relu(%x)
              %b: f32[3] = exp(%a)
              %c: f32[3] = neg(%b)
              %y: f32[3] = tanh(%x)
              return %y
            }
            """, Dce);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %unused: f32[3]) -> (f32[3]) {
              %y: f32[3] = tanh(%x)
              return %y
            }

            """, text);
    }

    [Fact]
    public void Random_ops_are_removable_since_nothing_has_side_effects()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3]) -> (f32[3]) {
              %d: f32[3] = bernoulli(%x)
              return %x
            }
            """, Dce);
        Assert.DoesNotContain("bernoulli", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_read_only_inside_a_nested_block_stays()
    {
        Unchanged(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %r: f32[3] = relu(%x)
              %y: f32[3] = if(%c) {
              then:
                %e: f32[3] = exp(%r)
                return %e
              else:
                return %x
              }
              return %y
            }
            """, Dce);
    }

    [Fact]
    public void Unread_if_results_go_with_what_the_branches_computed_for_them()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %outer: f32[3] = sigmoid(%x)
              %a: f32[3], %b: f32[3] = if(%c) {
              then:
                %r: f32[3] = relu(%x)
                %n: f32[3] = neg(%outer)
                return %r, %n
              else:
                %e: f32[3] = exp(%x)
                %t: f32[3] = tanh(%x)
                %dead: f32[3] = abs(%x)
                return %e, %t
              }
              return %a
            }
            """, Dce);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %a: f32[3] = if(%c) {
              then:
                %r: f32[3] = relu(%x)
                return %r
              else:
                %e: f32[3] = exp(%x)
                return %e
              }
              return %a
            }

            """, text);
    }

    [Fact]
    public void Unread_carried_values_go_unless_the_condition_or_a_kept_value_needs_them()
    {
        // b is read by nothing after the loop and feeds only itself: it goes. d is not read after the loop
        // either, but a's next value needs it; k feeds the condition.
        var text = Apply(
            """
            graph @g(%x: f32[3], %n: int) -> (f32[3]) {
              %go: bool = constant true
              %a: f32[3], %b: f32[3], %d: f32[3], %k: bool = loop(%n, %go, %x, %x, %x, %go) {
              body(%i: int, %a0: f32[3], %b0: f32[3], %d0: f32[3], %k0: bool):
                %r: f32[3] = relu(%a0)
                %a1: f32[3] = add(%r, %d0)
                %b1: f32[3] = add(%b0, %a0)
                %d1: f32[3] = neg(%d0)
                return %k0, %a1, %b1, %d1, %k0
              }
              return %a
            }
            """, Dce);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %n: int) -> (f32[3]) {
              %go: bool = constant true
              %a: f32[3], %d: f32[3], %k: bool = loop(%n, %go, %x, %x, %go) {
              body(%i: int, %a0: f32[3], %d0: f32[3], %k0: bool):
                %r: f32[3] = relu(%a0)
                %a1: f32[3] = add(%r, %d0)
                %d1: f32[3] = neg(%d0)
                return %k0, %a1, %d1, %k0
              }
              return %a
            }

            """, text);
    }

    [Fact]
    public void A_loop_nothing_reads_goes_whole()
    {
        var graph = TestGraphs.LstmLoop();
        var x = graph.Inputs[2];
        graph.SetOutputs([x, x]);
        Apply(graph, Dce);
        Assert.Empty(graph.Body.Nodes);
        Assert.Equal(8, graph.Body.Params.Count);
    }

    [Fact]
    public void The_lstm_loop_keeps_both_carried_values_when_only_h_is_read()
    {
        // c is not an output, but the next h needs it.
        var graph = TestGraphs.LstmLoop();
        graph.SetOutputs([graph.Outputs[0]]);
        Unchanged(graph, Dce);
        Assert.Equal(2, graph.Body.Nodes.Single(n => n.Kind == NodeKind.Loop).Results.Count);
    }

    [Fact]
    public void Dead_nodes_inside_a_loop_body_go()
    {
        var graph = TestGraphs.LstmLoop();
        var body = graph.Body.Nodes.Single(n => n.Kind == NodeKind.Loop).Blocks[0];
        new GraphBuilder(body).Add("exp", [body.Params[1]]);
        int before = graph.AllNodes().Count();
        Apply(graph, Dce);
        Assert.Equal(before - 1, graph.AllNodes().Count());
        Assert.Equal(0, Count(graph, "exp"));
    }

    [Fact]
    public void Models_without_dead_code_are_left_alone()
    {
        Unchanged(TestGraphs.Mlp(), Dce);
        Unchanged(TestGraphs.LeNet(), Dce);
        Unchanged(TestGraphs.IfOnTensor(), Dce);
    }
}
