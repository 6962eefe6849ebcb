using Kiln.IR;
using static Kiln.Passes.Tests.Transforms.PassRun;

namespace Kiln.Passes.Tests.Transforms;

public class RowMajorWeightsTests
{
    private static readonly RowMajorWeights Pass = new();

    [Fact]
    public void A_transpose_two_products_read_is_copied_once_before_them()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%h: f32[16, 128], param %w: f32[512, 128]) -> (f32[16, 512]) {
              %wt: f32[128, 512] = transpose(%w) {dim0=0, dim1=1}
              %a: f32[16, 512] = matmul(%h, %wt)
              %b: f32[16, 512] = matmul(%h, %wt)
              %y: f32[16, 512] = add(%a, %b)
              return %y
            }
            """);
        Apply(graph, Pass);
        Assert.Equal(1, Count(graph, "clone"));
        var nodes = graph.Body.Nodes;
        Assert.Equal(["transpose", "clone", "matmul", "matmul", "add"], nodes.Select(n => n.Name));
        Assert.All(nodes.Where(n => n.Name == "matmul"), m => Assert.Same(nodes[1].Result, m.Operands[1]));
    }

    [Fact]
    public void Products_inside_a_loop_read_the_copy_made_outside_it()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%h: f32[4, 8], param %w: f32[8, 8], %n: int) -> (f32[4, 8]) {
              %wt: f32[8, 8] = transpose(%w) {dim0=0, dim1=1}
              %always: bool = constant true
              %last: f32[4, 8] = loop(%n, %always, %h) {
              body(%t: int, %x: f32[4, 8]):
                %p: f32[4, 8] = matmul(%x, %wt)
                %q: f32[4, 8] = matmul(%p, %wt)
                %go: bool = constant true
                return %go, %q
              }
              return %last
            }
            """);
        Apply(graph, Pass);
        Assert.Equal("clone", graph.Body.Nodes[1].Name);
        Assert.All(graph.AllNodes().Where(n => n.Name == "matmul"), m => Assert.Same(graph.Body.Nodes[1].Result, m.Operands[1]));
    }

    [Fact]
    public void One_product_or_a_left_operand_leaves_the_transpose_alone()
    {
        Unchanged(
            """
            graph @g(%h: f32[16, 128], param %w: f32[512, 128], %x: f32[128, 16]) -> (f32[16, 512], f32[128, 128]) {
              %wt: f32[128, 512] = transpose(%w) {dim0=0, dim1=1}
              %a: f32[16, 512] = matmul(%h, %wt)
              %l: f32[128, 128] = matmul(%wt, %w)
              return %a, %l
            }
            """, Pass);
    }

    [Fact]
    public void The_copy_survives_O1_when_the_pass_runs_after_it()
    {
        var graph = KirParser.Parse(
            """
            graph @g(%h: f32[16, 128], %g: f32[16, 128], param %w: f32[512, 128]) -> (f32[16, 512]) {
              %wt: f32[128, 512] = transpose(%w) {dim0=0, dim1=1}
              %c: f32[128, 512] = clone(%wt)
              %a: f32[16, 512] = matmul(%h, %c)
              %b: f32[16, 512] = matmul(%g, %c)
              %s: f32[16, 512] = add(%a, %b)
              return %s
            }
            """);
        PassManager.Parse("O1").Run(graph);
        Assert.Equal(0, Count(graph, "clone"));
        PassManager.Parse("O1," + RowMajorWeights.PassName).Run(graph);
        Assert.Equal(1, Count(graph, "clone"));
    }
}
