using Kiln.IR;

namespace Kiln.Passes.Tests;

public class PassManagerTests
{
    [Fact]
    public void Named_pipelines_exist_and_O0_runs_nothing()
    {
        Assert.Contains("O0", PassRegistry.PipelineNames);
        Assert.Contains("O1", PassRegistry.PipelineNames);
        Assert.Contains("O2", PassRegistry.PipelineNames);
        Assert.Empty(PassManager.Parse("O0").Passes);
        Assert.Empty(PassManager.Parse(" ").Passes);
    }

    [Theory]
    [InlineData("no_such_pass", "unknown pass 'no_such_pass'")]
    [InlineData("O1,,O1", "empty pass name")]
    [InlineData(",cse", "empty pass name")]
    [InlineData("O1{x=1}", "pipeline 'O1' takes no options")]
    [InlineData("O1}", "unbalanced '}'")]
    [InlineData("O1{", "unbalanced '{'")]
    public void Bad_pipelines_are_rejected_with_the_reason(string pipeline, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => PassManager.Parse(pipeline));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_that_breaks_the_graph_is_named_with_the_passes_before_it()
    {
        var graph = new IR.Graph("g");
        var x = graph.AddInput("x", TensorValueType.Of(DType.Float32, 3));
        var b = new GraphBuilder(graph);
        b.Return(b.Add("relu", [x]));
        var manager = new PassManager([new Noop("first"), new Breaker(), new Noop("never")]);
        var e = Assert.Throws<PassException>(() => manager.Run(graph));
        Assert.Equal("breaker", e.Pass);
        Assert.Equal(["first"], e.PassesBefore);
        Assert.Contains("pass 'breaker' (after first) left @g invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains("relu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_that_throws_is_named_too()
    {
        var graph = new IR.Graph("g");
        var manager = new PassManager([new Throwing()]);
        var e = Assert.Throws<PassException>(() => manager.Run(graph));
        Assert.Contains("pass 'throwing' (the first pass) failed on @g: bad node", e.Message, StringComparison.Ordinal);
    }

    private sealed class Noop(string name) : IGraphPass
    {
        public string Name => name;

        public bool Run(IR.Graph graph, PassContext context) => false;
    }

    /// <summary>Gives the relu's result a wrong type, which the verifier must catch.</summary>
    private sealed class Breaker : IGraphPass
    {
        public string Name => "breaker";

        public bool Run(IR.Graph graph, PassContext context)
        {
            graph.Body.Nodes[0].Result.Type = TensorValueType.Of(DType.Float64, 3);
            return true;
        }
    }

    private sealed class Throwing : IGraphPass
    {
        public string Name => "throwing";

        public bool Run(IR.Graph graph, PassContext context) => throw new InvalidOperationException("bad node");
    }
}
