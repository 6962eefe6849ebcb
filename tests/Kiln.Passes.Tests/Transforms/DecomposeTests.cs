using Kiln.IR;
using Kiln.IR.Tests.Graph;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

public class DecomposeTests
{
    private static readonly Decompose All = new();

    /// <summary>The names of the ops of every node, in order, inside blocks too.</summary>
    private static string Ops(IR.Graph graph) => string.Join(" ", graph.AllNodes().Select(n => n.Name));

    [Fact]
    public void Linear_becomes_a_matmul_with_the_transposed_weight_plus_the_bias_keeping_spans()
    {
        var text = Apply(TestGraphs.Mlp(), All);
        Assert.Equal(
            """
            graph @mlp(%x: f32[?b, 784], param %fc1.weight: f32[512, 784], param %fc1.bias: f32[512], param %fc2.weight: f32[10, 512], param %fc2.bias: f32[10]) -> (f32[?b, 10]) {
              %0: f32[784, 512] = transpose(%fc1.weight) {dim0=0, dim1=1} loc("model.cs":12:9)
              %1: f32[?b, 512] = matmul(%x, %0) loc("model.cs":12:9)
              %h: f32[?b, 512] = add(%1, %fc1.bias) loc("model.cs":12:9)
              %2: f32[?b, 512] = relu(%h) loc("model.cs":13:9)
              %3: f32[512, 10] = transpose(%fc2.weight) {dim0=0, dim1=1} loc("model.cs":14:16 to 14:40)
              %4: f32[?b, 10] = matmul(%2, %3) loc("model.cs":14:16 to 14:40)
              %5: f32[?b, 10] = add(%4, %fc2.bias) loc("model.cs":14:16 to 14:40)
              return %5
            }

            """, text);
    }

    [Fact]
    public void Linear_without_a_bias_or_with_a_vector_weight_is_just_a_matmul()
    {
        var text = Apply(
            """
            graph @g(%x: f32[2, 3], %w: f32[4, 3], %v: f32[3]) -> (f32[2, 4], f32[2]) {
              %a: f32[2, 4] = linear(%x, %w)
              %b: f32[2] = linear(%x, %v)
              return %a, %b
            }
            """, All);
        Assert.Equal(
            """
            graph @g(%x: f32[2, 3], %w: f32[4, 3], %v: f32[3]) -> (f32[2, 4], f32[2]) {
              %0: f32[3, 4] = transpose(%w) {dim0=0, dim1=1}
              %a: f32[2, 4] = matmul(%x, %0)
              %b: f32[2] = matmul(%x, %v)
              return %a, %b
            }

            """, text);
    }

    [Fact]
    public void Softmax_subtracts_the_maximum_and_log_softmax_the_log_of_the_sum()
    {
        var text = Apply(
            """
            graph @g(%x: f64[?b, 5]) -> (f64[?b, 5], f64[?b, 5]) {
              %s: f64[?b, 5] = softmax(%x) {dim=1}
              %l: f64[?b, 5] = log_softmax(%x) {dim=-1}
              return %s, %l
            }
            """, All);
        Assert.Equal(
            """
            graph @g(%x: f64[?b, 5]) -> (f64[?b, 5], f64[?b, 5]) {
              %0: f64[?b, 1] = amax(%x) {dim=[1], keepdim=true}
              %1: f64[?b, 5] = sub(%x, %0)
              %2: f64[?b, 5] = exp(%1)
              %3: f64[?b, 1] = sum(%2) {dim=[1], keepdim=true}
              %s: f64[?b, 5] = div(%2, %3)
              %4: f64[?b, 1] = amax(%x) {dim=[-1], keepdim=true}
              %5: f64[?b, 5] = sub(%x, %4)
              %6: f64[?b, 5] = exp(%5)
              %7: f64[?b, 1] = sum(%6) {dim=[-1], keepdim=true}
              %8: f64[?b, 1] = log(%7)
              %l: f64[?b, 5] = sub(%5, %8)
              return %s, %l
            }

            """, text);
    }

    [Fact]
    public void Softmax_over_an_empty_dim_stays_since_amax_has_no_value_there()
    {
        Unchanged(
            """
            graph @g(%x: f32[3, 0]) -> (f32[3, 0]) {
              %s: f32[3, 0] = softmax(%x) {dim=1}
              return %s
            }
            """, All);
    }

    [Fact]
    public void Silu_and_both_gelus_use_0d_constants_of_the_input_dtype()
    {
        var text = Apply(
            """
            graph @g(%x: f16[4]) -> (f16[4], f16[4], f16[4]) {
              %s: f16[4] = silu(%x)
              %e: f16[4] = gelu(%x)
              %t: f16[4] = gelu(%x) {approximate="tanh"}
              return %s, %e, %t
            }
            """, All);
        Assert.Equal(
            """
            graph @g(%x: f16[4]) -> (f16[4], f16[4], f16[4]) {
              %0: f16[4] = sigmoid(%x)
              %s: f16[4] = mul(%x, %0)
              %1: f16[] = constant dense<0.7071067811865476>
              %2: f16[4] = mul(%x, %1)
              %3: f16[4] = erf(%2)
              %4: f16[] = constant dense<0.5>
              %5: f16[4] = mul(%x, %4)
              %6: f16[] = constant dense<1.0>
              %7: f16[4] = add(%3, %6)
              %e: f16[4] = mul(%5, %7)
              %8: f16[4] = mul(%x, %x)
              %9: f16[4] = mul(%8, %x)
              %10: f16[] = constant dense<0.044715>
              %11: f16[4] = mul(%9, %10)
              %12: f16[4] = add(%x, %11)
              %13: f16[] = constant dense<0.7978845608028654>
              %14: f16[4] = mul(%12, %13)
              %15: f16[4] = tanh(%14)
              %16: f16[] = constant dense<0.5>
              %17: f16[4] = mul(%x, %16)
              %18: f16[] = constant dense<1.0>
              %19: f16[4] = add(%15, %18)
              %t: f16[4] = mul(%17, %19)
              return %s, %e, %t
            }

            """, text);
    }

    [Theory]
    [InlineData("none", "f32[2, 3]", "sub mul")]
    [InlineData("mean", "f32[]", "sub mul mean")]
    [InlineData("sum", "f32[]", "sub mul sum")]
    public void Mse_loss_squares_the_difference_then_reduces(string reduction, string type, string ops)
    {
        var graph = KirParser.Parse(
            $$"""
            graph @g(%x: f32[2, 3], %t: f32[3]) -> ({{type}}) {
              %l: {{type}} = mse_loss(%x, %t) {reduction="{{reduction}}"}
              return %l
            }
            """);
        Apply(graph, All);
        Assert.Equal(ops, Ops(graph));
    }

    [Fact]
    public void Mse_loss_of_mixed_dtypes_converts_to_the_loss_dtype_first()
    {
        // mse_loss promotes a 0-d float64 target with a float32 input to float64, as sub would not.
        var graph = KirParser.Parse(
            """
            graph @g(%x: f32[3], %t: f64[]) -> (f64[]) {
              %l: f64[] = mse_loss(%x, %t)
              return %l
            }
            """);
        Apply(graph, All);
        Assert.Equal("to sub mul mean", Ops(graph));
    }

    [Fact]
    public void Layer_norm_uses_the_biased_variance_over_the_normalized_dims_and_the_optional_affine()
    {
        var text = Apply(
            """
            graph @g(%x: f32[?b, 4, 6], %w: f32[4, 6], %bias: f32[4, 6]) -> (f32[?b, 4, 6], f32[?b, 4, 6]) {
              %a: f32[?b, 4, 6] = layer_norm(%x, %w, %bias) {eps=0.001, normalized_shape=[4, 6]}
              %p: f32[?b, 4, 6] = layer_norm(%x) {normalized_shape=[6]}
              return %a, %p
            }
            """, All);
        Assert.Equal(
            """
            graph @g(%x: f32[?b, 4, 6], %w: f32[4, 6], %bias: f32[4, 6]) -> (f32[?b, 4, 6], f32[?b, 4, 6]) {
              %0: f32[?b, 1, 1] = mean(%x) {dim=[-2, -1], keepdim=true}
              %1: f32[?b, 4, 6] = sub(%x, %0)
              %2: f32[?b, 4, 6] = mul(%1, %1)
              %3: f32[?b, 1, 1] = mean(%2) {dim=[-2, -1], keepdim=true}
              %4: f32[] = constant dense<0.001>
              %5: f32[?b, 1, 1] = add(%3, %4)
              %6: f32[?b, 1, 1] = rsqrt(%5)
              %7: f32[?b, 4, 6] = mul(%1, %6)
              %8: f32[?b, 4, 6] = mul(%7, %w)
              %a: f32[?b, 4, 6] = add(%8, %bias)
              %9: f32[?b, 4, 1] = mean(%x) {dim=[-1], keepdim=true}
              %10: f32[?b, 4, 6] = sub(%x, %9)
              %11: f32[?b, 4, 6] = mul(%10, %10)
              %12: f32[?b, 4, 1] = mean(%11) {dim=[-1], keepdim=true}
              %13: f32[] = constant dense<1E-05>
              %14: f32[?b, 4, 1] = add(%12, %13)
              %15: f32[?b, 4, 1] = rsqrt(%14)
              %p: f32[?b, 4, 6] = mul(%10, %15)
              return %a, %p
            }

            """, text);
    }

    [Fact]
    public void Attention_without_a_mask_becomes_matmuls_around_a_softmax_which_is_decomposed_too()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%q: f32[2, 5, 16], %k: f32[2, 7, 16], %v: f32[2, 7, 8]) -> (f32[2, 5, 8]) {
              %a: f32[2, 5, 8] = scaled_dot_product_attention(%q, %k, %v)
              return %a
            }
            """);
        Apply(graph, All);
        Assert.Equal("transpose matmul constant mul amax sub exp sum div matmul", Ops(graph));
        Assert.Equal(0.25, ((DenseConstant)graph.AllNodes().Single(n => n.Kind == NodeKind.Constant).Constant!).Values[0]);
    }

    [Fact]
    public void Attention_with_a_mask_causal_masking_or_dropout_stays()
    {
        Unchanged(
            """
            graph @g(%q: f32[5, 16], %k: f32[7, 16], %v: f32[7, 8], %m: bool[5, 7]) -> (f32[5, 8], f32[5, 8], f32[5, 8]) {
              %a: f32[5, 8] = scaled_dot_product_attention(%q, %k, %v, %m)
              %b: f32[5, 8] = scaled_dot_product_attention(%q, %k, %v) {is_causal=true}
              %c: f32[5, 8] = scaled_dot_product_attention(%q, %k, %v) {dropout_p=0.1}
              return %a, %b, %c
            }
            """, All);
    }

    [Fact]
    public void Ops_limits_what_is_decomposed()
    {
        var graph = TestGraphs.Mlp();
        var silu = graph.Body.Nodes[1];
        var b = GraphBuilder.Before(silu);
        silu.Result.ReplaceAllUsesWith(b.Add("silu", [silu.Operands[0]]));
        graph.Body.Remove(silu);
        PassManager.Parse("decompose{ops=silu}").Run(graph);
        Assert.Equal("linear sigmoid mul linear", Ops(graph));
    }

    [Fact]
    public void Unknown_ops_and_options_are_errors_listing_what_there_is()
    {
        var e = Assert.Throws<ArgumentException>(() => PassManager.Parse("decompose{ops=relu,silu}"));
        Assert.Contains("pass 'decompose': no decomposition for relu; the decomposable ops are gelu, layer_norm, linear, log_softmax, mse_loss, scaled_dot_product_attention, silu, softmax", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => PassManager.Parse("decompose{only=silu}"));
        Assert.Contains("pass 'decompose': unknown option 'only'; it takes ops", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_decomposable_op_is_registered()
    {
        Assert.Equal(8, Decompose.Decomposable.Count);
        Assert.All(Decompose.Decomposable, name => Assert.NotNull(OpRegistry.Find(name)));
    }

    [Fact]
    public void Ops_inside_loop_bodies_and_branches_are_decomposed()
    {
        var lstm = TestGraphs.LstmLoop();
        Apply(lstm, All);
        Assert.Equal(0, Count(lstm, "linear"));
        Assert.Equal(2, Count(lstm, "matmul"));
        Assert.All(lstm.AllNodes().Where(n => n.Name == "matmul"), n => Assert.Equal(new SourceSpan("model.cs", 32, 13), n.Span));

        var branchy = KirParser.Parse(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %y: f32[3] = if(%c) {
              then:
                %s: f32[3] = silu(%x)
                return %s
              else:
                return %x
              }
              return %y
            }
            """);
        Apply(branchy, All);
        Assert.Equal("if sigmoid mul", Ops(branchy));
    }
}
