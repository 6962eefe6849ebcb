using Kiln.Cli.Opt;
using Kiln.Passes;

namespace Kiln.Cli.Tests.Golden;

/// <summary>
/// <c>kiln opt --explain-fusion</c>: the golden files under tests/golden/fuse state the explanation lines
/// they expect as <c># EXPLAIN: text</c> comments (plain comments to <see cref="GoldenFile"/>), which must
/// appear in order among the fusion pass's log lines, as CHECK lines do in the output; the log holds
/// only that pass's lines.
/// </summary>
public class ExplainFusionTests
{
    private const string Explain = "EXPLAIN:";

    private static readonly string Golden = Path.Combine(AppContext.BaseDirectory, "golden");

    public static TheoryData<string> FilesWithExplanations() =>
        [.. Directory.EnumerateFiles(Path.Combine(Golden, FusionPass.PassName), "*.kir")
            .Where(f => Explanations(File.ReadAllText(f)).Count > 0)
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(FilesWithExplanations))]
    public void Explain_fusion_prints_the_expected_lines_in_order(string file)
    {
        var text = File.ReadAllText(Path.Combine(Golden, FusionPass.PassName, file));
        var golden = GoldenFile.Parse(text);
        var log = new StringWriter();
        var result = OptDriver.Run(new OptRequest(text, file, golden.Pipeline, golden.Verify, log, ExplainFusion: true));
        Assert.True(result.Succeeded, result.Error);
        var lines = log.ToString();
        var failure = CheckMatcher.Match(Explanations(text), lines);
        Assert.True(failure is null, $"{file}: {failure}");
        Assert.All(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.True(FusionPass.IsLogLine(l), $"not a fusion line: {l}"));
    }

    [Fact]
    public void Explain_fusion_runs_fuse_after_a_pipeline_without_it_and_keeps_only_its_lines()
    {
        var file = Path.Combine(Golden, "autodiff", "mlp.kir");
        var run = KilnProcess.Run("opt", file, "-p", "autodiff", "--explain-fusion");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("call @mlp_fused_0(", run.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("fuse @mlp: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("autodiff @mlp", run.Stderr, StringComparison.Ordinal);
        var everything = KilnProcess.Run("opt", file, "-p", "autodiff,fuse", "--explain", "--explain-fusion");
        Assert.Equal(0, everything.ExitCode);
        Assert.Contains("autodiff @mlp", everything.Stderr, StringComparison.Ordinal);
        Assert.Contains("fuse @mlp: ", everything.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The file's <c># EXPLAIN:</c> lines, as CHECK directives.</summary>
    private static List<Directive> Explanations(string text) =>
        [.. text.Split('\n').Select((line, i) => (Line: line.Trim(), Number: i + 1))
            .Where(l => l.Line.StartsWith("# " + Explain, StringComparison.Ordinal))
            .Select(l => new Directive(DirectiveKind.Check, l.Line[(2 + Explain.Length)..].Trim(), l.Number))];
}
