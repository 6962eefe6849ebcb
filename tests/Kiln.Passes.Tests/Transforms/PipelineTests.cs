using Kiln.IR;
using Kiln.IR.Tests.Graph;

namespace Kiln.Passes.Tests.Transforms;

public class PipelineTests
{
    [Theory]
    [InlineData("O1", "canonicalize cse dce")]
    [InlineData("O2", "inline canonicalize cse dce")]
    [InlineData("specialize{b=8},shape-propagation,decompose{ops=linear},O1", "specialize shape-propagation decompose canonicalize cse dce")]
    public void Pipelines_name_the_passes_by_their_stable_names(string pipeline, string passes)
    {
        Assert.Equal(passes, string.Join(" ", PassManager.Parse(pipeline).Passes.Select(p => p.Name)));
    }

    [Fact]
    public void O1_cleans_up_after_what_canonicalize_exposes()
    {
        // Folding the if leaves its condition's computation unread (dce), and the branch's relu repeats one
        // before it (cse).
        var graph = KirParser.Parse(
            """
            graph @g(%x: f32[?b, 4]) -> (f32[?b, 4]) {
              %r: f32[?b, 4] = relu(%x)
              %s: f32[] = sum(%x)
              %yes: bool = constant true
              %y: f32[?b, 4] = if(%yes) {
              then:
                %r2: f32[?b, 4] = relu(%x)
                %t: f32[?b, 4] = add(%r, %r2)
                return %t
              else:
                %n: f32[?b, 4] = neg(%x)
                return %n
              }
              return %y
            }
            """);
        PassManager.Parse("O1").Run(graph);
        Assert.Equal(
            """
            graph @g(%x: f32[?b, 4]) -> (f32[?b, 4]) {
              %r: f32[?b, 4] = relu(%x)
              %y: f32[?b, 4] = add(%r, %r)
              return %y
            }

            """, KirPrinter.Print(graph));
    }

    [Fact]
    public void Decomposing_then_O1_keeps_every_sample_model_valid()
    {
        foreach (var graph in new[] { TestGraphs.Mlp(), TestGraphs.LeNet(), TestGraphs.LstmLoop(), TestGraphs.IfOnTensor() })
        {
            PassManager.Parse("decompose,O1").Run(graph);
            Assert.DoesNotContain(graph.AllNodes(), n => n.Name == "linear");
        }
    }
}
