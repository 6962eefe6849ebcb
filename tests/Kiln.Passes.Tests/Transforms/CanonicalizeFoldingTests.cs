using Kiln.IR;
using Kiln.IR.Tests.Graph;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

/// <summary>Canonicalize's constant folding and control-flow simplifications.</summary>
public class CanonicalizeFoldingTests
{
    private static readonly Canonicalize Canonicalize = new();

    /// <summary>A stand-in for the runtime's evaluator: elementwise add and mul of equal shapes or splats, counting its calls.</summary>
    private sealed class FakeEvaluator
    {
        public int Calls { get; private set; }

        public PassContext Context(TextWriter? log = null) => new() { Evaluator = Evaluate, Log = log };

        private DenseConstant[]? Evaluate(OpDef op, IReadOnlyList<DenseConstant> inputs, Attrs attrs)
        {
            Calls++;
            Func<double, double, double>? f = op.Name switch
            {
                "add" => (a, b) => a + b,
                "mul" => (a, b) => a * b,
                "div" when attrs["rounding_mode"] is "floor" => (_, _) => throw new ArgumentException("div: integer division by zero"),
                _ => null,
            };
            if (f is null) return null;
            var (x, y) = (inputs[0], inputs[1]);
            var type = x.IsSplat ? y.Type : x.Type;
            int count = Math.Max(x.Values.Count, y.Values.Count);
            return [new DenseConstant(type, [.. Enumerable.Range(0, count).Select(i => f(x.Values[x.IsSplat ? 0 : i], y.Values[y.IsSplat ? 0 : i]))])];
        }
    }

    [Fact]
    public void Ops_on_inline_constants_fold_through_the_evaluator_to_a_fixed_point()
    {
        var evaluator = new FakeEvaluator();
        var text = Apply(
            """
            graph @g(%x: f32[2]) -> (f32[2]) {
              %a: f32[2] = constant dense<[1.0, 2.0]>
              %b: f32[2] = constant dense<[3.0, 4.0]>
              %two: f32[] = constant dense<2.0>
              %s: f32[2] = add(%a, %b)
              %p: f32[2] = mul(%s, %two)
              %y: f32[2] = add(%x, %p)
              return %y
            }
            """, Canonicalize, evaluator.Context());
        Assert.Equal(
            """
            graph @g(%x: f32[2]) -> (f32[2]) {
              %p: f32[2] = constant dense<[8.0, 12.0]>
              %y: f32[2] = add(%x, %p)
              return %y
            }

            """, text);
    }

    [Fact]
    public void Random_ops_large_results_and_symbolic_constants_are_not_folded()
    {
        var evaluator = new FakeEvaluator();
        Unchanged(
            """
            graph @g(%x: f32[?b]) -> (f32[3], f32[100, 100], f32[?b]) {
              %p: f32[3] = constant dense<0.5>
              %r: f32[3] = bernoulli(%p)
              %big: f32[100, 100] = constant dense<1.5>
              %sum: f32[100, 100] = add(%big, %big)
              %z: f32[?b] = constant dense<2.0>
              %zz: f32[?b] = add(%z, %z)
              return %r, %sum, %zz
            }
            """, Canonicalize, evaluator.Context());
        Assert.Equal(0, evaluator.Calls);
    }

    [Fact]
    public void Without_an_evaluator_or_when_it_declines_or_fails_the_op_stays()
    {
        const string Kir = """
            graph @g() -> (f32[2], i64[2]) {
              %a: f32[2] = constant dense<[1.0, 2.0]>
              %s: f32[2] = add(%a, %a)
              %n: i64[2] = constant dense<[1, 2]>
              %z: i64[2] = constant dense<[0, 0]>
              %e: f32[2] = exp(%a)
              %q: i64[2] = div(%n, %z) {rounding_mode="floor"}
              return %s, %q
            }
            """;
        Unchanged(Kir, Canonicalize);
        var evaluator = new FakeEvaluator();
        var log = new StringWriter();
        var graph = KirParser.Parse(Kir);
        new PassManager([Canonicalize]).Run(graph, evaluator.Context(log));
        Assert.Equal(1, Count(graph, "div"));
        Assert.Equal(1, Count(graph, "exp"));
        Assert.Equal(0, Count(graph, "add"));
        Assert.Contains("canonicalize: not folding div: div: integer division by zero", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scalar_primitives_fold_and_sizes_come_from_constant_dims()
    {
        var text = Apply(
            """
            graph @g(%x: f32[?b, 4], %k: int) -> (int, int, int, int, bool, int) {
              %n: int = tensor_size(%x) {dim=-1}
              %two: int = constant 2
              %m: int = scalar_mul(%n, %two)
              %batch: int = tensor_size(%x) {dim=0}
              %mb: int = scalar_mul(%batch, %two)
              %l: list<int> = list(%n, %k, %two)
              %len: int = list_len(%l)
              %big: bool = scalar_gt(%m, %len)
              %numel: int = tensor_numel(%x)
              return %m, %mb, %len, %k, %big, %numel
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[?b, 4], %k: int) -> (int, int, int, int, bool, int) {
              %two: int = constant 2
              %m: int = constant 8
              %batch: int = tensor_size(%x) {dim=0}
              %mb: int = scalar_mul(%batch, %two)
              %len: int = constant 3
              %big: bool = constant true
              %numel: int = tensor_numel(%x)
              return %m, %mb, %len, %k, %big, %numel
            }

            """, text);
    }

    [Fact]
    public void A_primitive_that_fails_on_its_constants_stays_for_run_time()
    {
        var log = new StringWriter();
        var graph = KirParser.Parse(
            """
            graph @g() -> (int) {
              %one: int = constant 1
              %zero: int = constant 0
              %q: int = scalar_floordiv(%one, %zero)
              return %q
            }
            """);
        Unchanged(graph, Canonicalize, new PassContext { Log = log });
        Assert.Contains("integer division by zero", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_if_on_a_constant_condition_becomes_its_branch()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %yes: bool = constant true
              %no: bool[] = constant dense<false>
              %a: f32[3] = if(%yes) {
              then:
                %r: f32[3] = relu(%x)
                %inner: f32[3] = if(%c) {
                then:
                  return %r
                else:
                  %e: f32[3] = exp(%r)
                  return %e
                }
                return %inner
              else:
                return %x
              }
              %b: f32[3] = if(%no) {
              then:
                return %a
              else:
                %t: f32[3] = tanh(%a)
                return %t
              }
              return %b
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %r: f32[3] = relu(%x)
              %a: f32[3] = if(%c) {
              then:
                return %r
              else:
                %e: f32[3] = exp(%r)
                return %e
              }
              %b: f32[3] = tanh(%a)
              return %b
            }

            """, text);
    }

    [Fact]
    public void The_if_on_a_tensor_stays_until_its_condition_is_constant()
    {
        var graph = TestGraphs.IfOnTensor();
        Unchanged(graph, Canonicalize);
        var condition = graph.Body.Nodes.Single(n => n.Kind == NodeKind.If).Operands[0];
        var b = GraphBuilder.Before(condition.Producer!);
        condition.ReplaceAllUsesWith(b.Constant(DenseConstant.Splat(TensorValueType.Of(DType.Bool), 0)));
        Apply(graph, Canonicalize);
        Assert.Equal(0, Count(graph, "if"));
        Assert.Equal("neg", graph.Body.Returns[0].Producer!.Name);
        Assert.Equal(new SourceSpan("model.cs", 7, 9), graph.Body.Returns[0].Producer!.Span);
    }

    [Fact]
    public void A_loop_that_runs_no_iteration_becomes_its_initial_values()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3], %n: int) -> (f32[3], f32[3]) {
              %zero: int = constant 0
              %yes: bool = constant true
              %no: bool = constant false
              %a: f32[3] = loop(%zero, %yes, %x) {
              body(%i: int, %v: f32[3]):
                %r: f32[3] = relu(%v)
                return %yes, %r
              }
              %b: f32[3] = loop(%n, %no, %a) {
              body(%j: int, %w: f32[3]):
                %e: f32[3] = exp(%w)
                return %yes, %e
              }
              return %a, %b
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %n: int) -> (f32[3], f32[3]) {
              return %x, %x
            }

            """, text);
    }

    [Fact]
    public void A_loop_that_may_run_stays()
    {
        Unchanged(TestGraphs.LstmLoop(), Canonicalize);
    }

    [Fact]
    public void Elements_of_tuples_and_lists_built_in_place_are_read_directly()
    {
        var text = Apply(
            """
            graph @g(%x: f32[3], %y: f32[3], %i: int) -> (f32[3], f32[3], f32[3]) {
              %t: tuple<f32[3], f32[3]> = tuple(%x, %y)
              %a: f32[3] = tuple_get(%t) {index=1}
              %l: list<f32[3]> = list(%x, %y)
              %one: int = constant 1
              %b: f32[3] = list_get(%l, %one)
              %c: f32[3] = list_get(%l, %i)
              return %a, %b, %c
            }
            """, Canonicalize);
        Assert.Equal(
            """
            graph @g(%x: f32[3], %y: f32[3], %i: int) -> (f32[3], f32[3], f32[3]) {
              %l: list<f32[3]> = list(%x, %y)
              %c: f32[3] = list_get(%l, %i)
              return %y, %y, %c
            }

            """, text);
    }

    [Fact]
    public void A_list_index_out_of_range_is_left_for_run_time()
    {
        Unchanged(
            """
            graph @g(%x: f32[3]) -> (f32[3]) {
              %l: list<f32[3]> = list(%x)
              %k: int = constant -1
              %b: f32[3] = list_get(%l, %k)
              return %b
            }
            """, Canonicalize);
    }
}
