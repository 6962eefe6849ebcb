using Kiln.Frontend.Analyzers;

namespace Kiln.Frontend.Tests.Scripting;

/// <summary>What Jit.Script reports for models it cannot lower: the diagnostic's ID, file and line.</summary>
public sealed class ScriptDiagnosticTests
{
    [Fact]
    public void A_loop_that_unrolls_too_far_is_reported_at_the_loop()
    {
        var error = Assert.Throws<ScriptException>(() => Jit.Script(new EndlessUnroll(), Tensor.Randn(2, 4)));
        var d = Assert.Single(error.Diagnostics);
        Assert.Equal(ScriptDiagnosticIds.UnrolledLoopTooLong, d.Id);
        AssertAt(d, "for (int i = 0; i < 20000; i++)");
    }

    [Fact]
    public void The_subset_checker_runs_at_script_time_even_where_the_build_was_told_to_ignore_it()
    {
        var error = Assert.Throws<ScriptException>(() => Jit.Script(new HiddenLambda(), Tensor.Randn(2, 4)));
        Assert.Equal([ScriptDiagnosticIds.AnonymousFunction, ScriptDiagnosticIds.DelegateOrEvent], error.Diagnostics.Select(d => d.Id));
        AssertAt(error.Diagnostics[0], "t => t * 2");
        Assert.All(error.Diagnostics, d => Assert.NotNull(d.Hint));
    }

    [Fact]
    public void A_module_without_captured_source_says_the_generator_did_not_run()
    {
        var error = Assert.Throws<ScriptException>(() => Jit.Script(new NotScripted(), Tensor.Randn(2, 4)));
        var d = Assert.Single(error.Diagnostics);
        Assert.Equal(ScriptDiagnosticIds.NoCapturedSource, d.Id);
        Assert.Contains("source generator did not run", d.Message, StringComparison.Ordinal);
    }

    /// <summary>Asserts that <paramref name="d"/> points at the line of ScriptModels.cs that contains <paramref name="code"/>.</summary>
    private static void AssertAt(ScriptDiagnostic d, string code)
    {
        Assert.NotNull(d.File);
        Assert.EndsWith("ScriptModels.cs", d.File, StringComparison.Ordinal);
        var lines = File.ReadAllLines(d.File!);
        int column = lines[d.Line - 1].IndexOf(code, StringComparison.Ordinal);
        Assert.True(column >= 0, $"line {d.Line} is '{lines[d.Line - 1].Trim()}', not the one with '{code}'");
        Assert.Equal(column + 1, d.Column);
    }
}
