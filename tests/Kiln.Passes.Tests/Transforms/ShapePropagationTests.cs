using Kiln.IR;
using Kiln.IR.Tests.Graph;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

public class ShapePropagationTests
{
    private static readonly ShapePropagation Propagation = new();

    private static Specialize Sizes(params (string Symbol, long Size)[] sizes) =>
        new(sizes.ToDictionary(s => s.Symbol, s => s.Size));

    /// <summary>Specializes, then checks that propagating again changes nothing (specializing again would name a symbol that is gone).</summary>
    private static string Specialized(IR.Graph graph, params (string Symbol, long Size)[] sizes) =>
        Apply(graph, Sizes(sizes), again: Propagation);

    [Fact]
    public void Specializing_the_mlp_batch_fixes_every_type()
    {
        var text = Specialized(TestGraphs.Mlp(), ("b", 64));
        Assert.Equal(
            """
            graph @mlp(%x: f32[64, 784], param %fc1.weight: f32[512, 784], param %fc1.bias: f32[512], param %fc2.weight: f32[10, 512], param %fc2.bias: f32[10]) -> (f32[64, 10]) {
              %h: f32[64, 512] = linear(%x, %fc1.weight, %fc1.bias) loc("model.cs":12:9)
              %0: f32[64, 512] = relu(%h) loc("model.cs":13:9)
              %1: f32[64, 10] = linear(%0, %fc2.weight, %fc2.bias) loc("model.cs":14:16 to 14:40)
              return %1
            }

            """, text);
    }

    [Fact]
    public void Specializing_reaches_lists_loop_bodies_and_branches()
    {
        var lstm = Specialized(TestGraphs.LstmLoop(), ("b", 2));
        Assert.DoesNotContain("?b", lstm, StringComparison.Ordinal);
        Assert.Contains("%xs: list<f32[2, 10]>", lstm, StringComparison.Ordinal);
        Assert.Contains("body(%i: int, %h_1: f32[2, 20], %c_1: f32[2, 20]):", lstm, StringComparison.Ordinal);
        Assert.Contains("%7: f32[2, 20], %8: f32[2, 20], %9: f32[2, 20], %10: f32[2, 20] = chunk(%6)", lstm, StringComparison.Ordinal);

        var branchy = Specialized(TestGraphs.IfOnTensor(), ("b", 5));
        Assert.DoesNotContain("?b", branchy, StringComparison.Ordinal);
        Assert.Contains("%3: f32[5, 4] = relu(%x)", branchy, StringComparison.Ordinal);
        Assert.Contains("%2: f32[5, 4] = if(%1) {", branchy, StringComparison.Ordinal);
    }

    [Fact]
    public void Specialize_from_a_pipeline_string_fixes_the_symbols_named_and_leaves_the_others()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%x: f32[?b, ?n], %y: f32[?b, ?m]) -> (f32[?b, ?n], f32[?b, ?m]) {
              %zeros: f32[?b, ?n] = constant dense<0.0>
              %s: f32[?b, ?n] = add(%x, %zeros)
              %r: f32[?b, ?m] = relu(%y)
              return %s, %r
            }
            """);
        PassManager.Parse("specialize{b=64 n=8}").Run(graph);
        Assert.Equal(
            """
            graph @g(%x: f32[64, 8], %y: f32[64, ?m]) -> (f32[64, 8], f32[64, ?m]) {
              %zeros: f32[64, 8] = constant dense<0.0>
              %s: f32[64, 8] = add(%x, %zeros)
              %r: f32[64, ?m] = relu(%y)
              return %s, %r
            }

            """, KirPrinter.Print(graph));
    }

    [Theory]
    [InlineData("specialize{q=3}", "unknown option 'q'; it takes b")]
    [InlineData("specialize{b=x}", "symbol ?b must be given a size (an integer >= 0), got 'x'")]
    [InlineData("specialize{b=-1}", "symbol ?b must be given a size (an integer >= 0), got '-1'")]
    [InlineData("specialize{b=1,2}", "option 'b' takes one value, got 2")]
    public void Bad_sizes_are_errors_naming_the_symbol(string pipeline, string message)
    {
        var e = Assert.Throws<PassException>(() => PassManager.Parse(pipeline).Run(TestGraphs.Mlp()));
        Assert.Equal("specialize", e.Pass);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Specializing_a_symbol_twice_names_it_as_gone()
    {
        var graph = TestGraphs.Mlp();
        Specialized(graph, ("b", 64));
        var e = Assert.Throws<ArgumentException>(() => Sizes(("b", 64)).Run(graph, new PassContext()));
        Assert.Contains("unknown option 'b'; it takes no options (each option names a dim symbol of @mlp)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_sizes_specialize_changes_nothing()
    {
        Unchanged(TestGraphs.Mlp(), Sizes());
    }

    [Fact]
    public void Propagation_follows_a_new_input_type_through_every_node()
    {
        var graph = TestGraphs.LeNet();
        graph.Inputs[0].Type = TestGraphs.F32(Dim.Sym("n"), 1, 28, 28);
        var text = Apply(graph, Propagation);
        Assert.DoesNotContain("?b", text, StringComparison.Ordinal);
        Assert.Contains("f32[?n, 6, 14, 14] = max_pool2d(", text, StringComparison.Ordinal);
        Assert.Contains("-> (f32[?n, 10])", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Propagation_of_an_unchanged_graph_changes_nothing()
    {
        Unchanged(TestGraphs.Mlp(), Propagation);
        Unchanged(TestGraphs.LstmLoop(), Propagation);
        Unchanged(TestGraphs.IfOnTensor(), Propagation);
    }

    [Fact]
    public void An_input_an_op_no_longer_accepts_is_an_error_naming_the_node_and_its_span()
    {
        var graph = TestGraphs.Mlp();
        graph.Inputs[0].Type = TestGraphs.F32(TestGraphs.Batch, 100);
        var e = Assert.Throws<PassException>(() => new PassManager([Propagation]).Run(graph));
        Assert.Contains("model.cs:12:9: %h = linear:", e.Message, StringComparison.Ordinal);
        Assert.Contains("(100 != 784)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loop_body_that_changes_a_carried_type_is_an_error_naming_the_loop()
    {
        // The body keeps [1, 4] only while the carried value has one row.
        var graph = KirParser.Parse(
            """
            graph @g(%x: f32[1, 4], %n: int) -> (f32[1, 4]) {
              %go: bool = constant true
              %y: f32[1, 4] = loop(%n, %go, %x) {
              body(%i: int, %v: f32[1, 4]):
                %s: f32[1, 4] = sum(%v) {dim=[0], keepdim=true}
                return %go, %s
              }
              return %y
            }
            """);
        graph.Inputs[0].Type = TestGraphs.F32(3, 4);
        var e = Assert.Throws<PassException>(() => new PassManager([Propagation]).Run(graph));
        Assert.Contains("%y = loop: the body returns carried values (f32[1, 4]) but the carried values are (f32[3, 4])", e.Message, StringComparison.Ordinal);
        Assert.Contains("must keep its type from one iteration to the next", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Branches_that_come_to_disagree_are_an_error_naming_the_if()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%x: f32[4], %z: f32[4], %c: bool) -> (f32[4]) {
              %y: f32[4] = if(%c) {
              then:
                return %x
              else:
                return %z
              }
              return %y
            }
            """);
        graph.Inputs[0].Type = TestGraphs.F32(5);
        var e = Assert.Throws<PassException>(() => new PassManager([Propagation]).Run(graph));
        Assert.Contains("%y = if: the else block returns (f32[4]) but the if's results are (f32[5])", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_lists_keep_their_declared_type_and_full_lists_follow_their_elements()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%x: f32[?b, 3]) -> (list<f32[?b, 3]>, list<f32[2]>) {
              %l: list<f32[?b, 3]> = list(%x, %x)
              %e: list<f32[2]> = list()
              return %l, %e
            }
            """);
        graph.Inputs[0].Type = TestGraphs.F32(7, 3);
        var text = Apply(graph, Propagation);
        Assert.Contains("%l: list<f32[7, 3]> = list(%x, %x)", text, StringComparison.Ordinal);
        Assert.Contains("%e: list<f32[2]> = list()", text, StringComparison.Ordinal);
    }
}
