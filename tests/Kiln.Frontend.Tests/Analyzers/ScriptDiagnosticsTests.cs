using System.Text.RegularExpressions;
using Kiln.Frontend.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Frontend.Tests.Analyzers;

/// <summary>The diagnostic table: stable IDs, the message API the frontend uses, and docs/diagnostics.md covering every ID.</summary>
public sealed partial class ScriptDiagnosticsTests
{
    [Fact]
    public void Every_descriptor_is_a_kiln_script_error_with_a_hint_and_its_docs_section()
    {
        Assert.Equal(ScriptDiagnostics.All.Select(d => d.Id).Distinct().Count(), ScriptDiagnostics.All.Length);
        foreach (var descriptor in ScriptDiagnostics.All)
        {
            Assert.Matches(IdPattern(), descriptor.Id);
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
            Assert.Equal(ScriptDiagnostics.Category, descriptor.Category);
            Assert.Equal("docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Equal(ScriptDiagnostics.Hint(descriptor.Id), descriptor.Description.ToString());
        }
    }

    [Fact]
    public void Analyzer_supports_the_checker_ids_and_the_frontend_ids_are_separate()
    {
        Assert.Equal(ScriptDiagnostics.Checker, new ScriptAnalyzer().SupportedDiagnostics);
        Assert.All(ScriptDiagnostics.Checker, d => Assert.StartsWith("KILN00", d.Id, StringComparison.Ordinal));
        Assert.Contains(ScriptDiagnostics.All, d => d.Id == ScriptDiagnosticIds.NoCapturedSource);
        Assert.DoesNotContain(ScriptDiagnostics.Checker, d => d.Id == ScriptDiagnosticIds.NoCapturedSource);
    }

    [Fact]
    public void Frontend_formats_problem_and_hint_from_an_id_and_arguments()
    {
        string problem = ScriptDiagnostics.FormatProblem(ScriptDiagnosticIds.UnrolledLoopTooLong, 5000, 1024);

        Assert.Equal("the loop runs 5000 times at script time, more than the 1024 iterations the frontend unrolls", problem);
        Assert.StartsWith("loop over a tensor dimension", ScriptDiagnostics.Hint(ScriptDiagnosticIds.UnrolledLoopTooLong), StringComparison.Ordinal);
    }

    [Fact]
    public void Created_diagnostic_carries_problem_and_hint_and_reads_problem_then_hint()
    {
        var location = Location.Create("Net.cs", new TextSpan(10, 3), new LinePositionSpan(new(2, 4), new(2, 7)));

        var diagnostic = ScriptDiagnostics.Create(ScriptDiagnosticIds.Recursion, location, "Net.Step");

        Assert.Equal("KILN0015", diagnostic.Id);
        Assert.Equal("'Net.Step' calls itself on the same object, which cannot be scripted", ScriptDiagnostics.Problem(diagnostic));
        Assert.Equal(ScriptDiagnostics.Problem(diagnostic) + " (" + ScriptDiagnostics.Hint("KILN0015") + ")", diagnostic.GetMessage());
        Assert.Equal(location, diagnostic.Location);
    }

    [Fact]
    public void Unknown_id_is_refused_with_a_message_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => ScriptDiagnostics.Hint("KILN9999"));

        Assert.Contains("KILN9999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Docs_have_a_section_for_every_id_including_the_tracing_ones()
    {
        string docs = File.ReadAllText(Path.Combine(UserCompilation.ProjectDirectory(), "..", "..", "docs", "diagnostics.md"));
        var sections = SectionHeading().Matches(docs).Select(m => m.Groups[1].Value).ToList();
        string[] tracing = [ScriptDiagnosticIds.TraceTensorToValue, ScriptDiagnosticIds.TraceUntraceable, ScriptDiagnosticIds.TraceNotSymbolic, ScriptDiagnosticIds.TraceRandomFrozen];

        var expected = ScriptDiagnostics.All.Select(d => d.Id).Concat(tracing).Order(StringComparer.Ordinal);

        Assert.Equal(expected, sections);
    }

    [GeneratedRegex(@"^KILN\d{4}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^### (KILN\d{4})\b", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();
}
