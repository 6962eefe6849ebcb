using Kiln.IR;
using Kiln.IR.Tests.Graph;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

/// <summary>Canonicalize's algebraic identities, and where they must not apply.</summary>
public class CanonicalizeIdentityTests
{
    private static readonly Canonicalize Canonicalize = new();

    [Fact]
    public void Adding_zero_and_multiplying_by_one_are_dropped_whatever_the_constants_dtype()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
              %zero: f32[] = constant dense<0.0>
              %zero_int: i64[] = constant dense<0>
              %one: f32[3] = constant dense<[1.0, 1.0, 1.0]>
              %yes: bool[] = constant dense<true>
              %a: f32[3] = add(%x, %zero)
              %b: f32[3] = add(%zero_int, %x)
              %c: f32[3] = sub(%x, %zero)
              %d: f32[3] = mul(%x, %one)
              %e: f32[3] = mul(%yes, %x)
              %f: f32[3] = div(%x, %one)
              %g: f32[3] = add(%x, %zero) {alpha=3.0}
              %h: f32[3] = sub(%x, %zero_int) {alpha=0.5}
              return %a, %b, %c, %d, %e, %f, %g, %h
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
              return %x, %x, %x, %x, %x, %x, %x, %x
            }

            """, text);
    }

    [Fact]
    public void Identities_that_would_lose_broadcasting_promotion_or_rounding_stay()
    {
        Unchanged(
            """
            graph @g(%x: f32[3], %i: i64[3], %s: f32[]) -> (f32[4, 3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
              %zeros: f32[4, 3] = constant dense<0.0>
              %one: f32[] = constant dense<1.0>
              %ones: f32[3] = constant dense<1.0>
              %zero: f32[] = constant dense<0.0>
              %half: f32[] = constant dense<0.5>
              %a: f32[4, 3] = add(%x, %zeros)
              %b: f32[3] = mul(%i, %one)
              %c: f32[3] = div(%x, %one) {rounding_mode="floor"}
              %d: f32[3] = add(%zero, %x) {alpha=2.0}
              %e: f32[3] = mul(%x, %zero)
              %f: f32[3] = mul(%s, %ones)
              %h: f32[3] = mul(%x, %half)
              return %a, %b, %c, %d, %e, %f, %h
            }
            """, Canonicalize);
    }

    [Fact]
    public void Shape_ops_that_change_nothing_go_and_inverse_pairs_cancel()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3, 4], %v: f32[3, 3]) -> (f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 3]) {
              %a: f32[3, 4] = to(%x) {dtype=f32}
              %b: f32[3, 4] = reshape(%x) {shape=[3, -1]}
              %c: f32[3, 4] = expand(%x) {size=[-1, 4]}
              %d: f32[3, 4] = clone(%x)
              %n: f32[3, 4] = neg(%x)
              %e: f32[3, 4] = neg(%n)
              %t: f32[4, 3] = transpose(%x) {dim0=0, dim1=1}
              %f: f32[3, 4] = transpose(%t) {dim0=-1, dim1=-2}
              %g: f32[3, 4] = transpose(%x) {dim0=1, dim1=-1}
              %h: f32[3, 4] = permute(%x) {dims=[0, -1]}
              %u: f32[3, 1, 4] = unsqueeze(%x) {dim=1}
              %i: f32[3, 4] = squeeze(%u) {dim=[-2]}
              %w: f32[3, 3] = squeeze(%v)
              return %a, %b, %c, %d, %e, %f, %g, %h, %i, %w
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[3, 4], %v: f32[3, 3]) -> (f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 4], f32[3, 3]) {
              return %x, %x, %x, %x, %x, %x, %x, %x, %x, %v
            }

            """, text);
    }

    [Fact]
    public void Shape_ops_that_do_something_stay()
    {
        // A square transpose keeps its type but not its values; a squeeze of a symbolic dim may remove it
        // at run time; a conversion to another dtype and a real reshape change the value's type.
        Unchanged(
            """
            graph @g(%x: f32[3, 3], %y: f32[?b, 4]) -> (f32[3, 3], f32[3, 3], f32[?b, 4], f64[3, 3], f32[9]) {
              %a: f32[3, 3] = transpose(%x) {dim0=0, dim1=1}
              %b: f32[3, 3] = permute(%x) {dims=[1, 0]}
              %c: f32[?b, 4] = squeeze(%y)
              %d: f64[3, 3] = to(%x) {dtype=f64}
              %e: f32[9] = reshape(%x) {shape=[9]}
              return %a, %b, %c, %d, %e
            }
            """, Canonicalize);
    }

    [Fact]
    public void A_reshape_of_a_reshape_reads_the_first_input()
    {
        var text = Apply(
            """
            graph @g(%x: f32[?b, 6]) -> (f32[?b, 3, 2], f32[?b, 2, 3]) {
              %a: f32[?b, 2, 3] = reshape(%x) {shape=[-1, 2, 3]}
              %b: f32[?b, 3, 2] = reshape(%a) {shape=[-1, 3, 2]}
              %c: f32[?b, 6] = reshape(%b) {shape=[-1, 6]}
              %d: f32[?b, 2, 3] = reshape(%c) {shape=[-1, 2, 3]}
              return %b, %d
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[?b, 6]) -> (f32[?b, 3, 2], f32[?b, 2, 3]) {
              %b: f32[?b, 3, 2] = reshape(%x) {shape=[-1, 3, 2]}
              %d: f32[?b, 2, 3] = reshape(%x) {shape=[-1, 2, 3]}
              return %b, %d
            }

            """, text);
    }

    [Fact]
    public void Identities_apply_inside_loop_bodies()
    {
        var graph = TestGraphs.LstmLoop();
        var body = graph.Body.Nodes.Single(n => n.Kind == NodeKind.Loop).Blocks[0];
        var h = body.Returns[1];
        var b = new GraphBuilder(body);
        var zero = b.Constant(DenseConstant.Splat(TestGraphs.F32(), 0));
        body.SetReturn(1, b.Add("add", [h, zero]));
        Apply(graph, Canonicalize);
        Assert.Equal(h, body.Returns[1]);
        Assert.Equal(KirPrinter.Print(TestGraphs.LstmLoop()), KirPrinter.Print(graph));
    }

    [Fact]
    public void The_sample_models_are_already_canonical()
    {
        Unchanged(TestGraphs.Mlp(), Canonicalize);
        Unchanged(TestGraphs.LeNet(), Canonicalize);
        Unchanged(TestGraphs.LstmLoop(), Canonicalize);
        Unchanged(TestGraphs.IfOnTensor(), Canonicalize);
    }
}
