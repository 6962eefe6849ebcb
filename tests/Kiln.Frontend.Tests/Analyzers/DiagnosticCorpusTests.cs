using System.Text.RegularExpressions;
using Kiln.Frontend.Analyzers;

namespace Kiln.Frontend.Tests.Analyzers;

/// <summary>
/// The golden diagnostic corpus: each Invalid/*.cs.txt file is compiled as user code and the analyzer must report
/// exactly the diagnostics its <c>// expect: KILN0004:17</c> comments list (the ID and the column, on the comment's
/// line). The files are text, not classes of this project, since the analyzer runs on this project's own build.
/// The valid model corpus (Corpus/*.cs) must give no diagnostic at all.
/// </summary>
public sealed partial class DiagnosticCorpusTests
{
    private static readonly string InvalidDirectory = Path.Combine(UserCompilation.ProjectDirectory(), "Invalid");

    /// <summary>The invalid corpus files, by name.</summary>
    public static TheoryData<string> InvalidFiles =>
        [.. Directory.GetFiles(InvalidDirectory, "*.cs.txt").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Invalid_file_reports_exactly_its_expected_diagnostics(string file)
    {
        string path = Path.Combine(InvalidDirectory, file);
        string text = File.ReadAllText(path);
        var compilation = UserCompilation.Of((path, text));
        Assert.Empty(compilation.CompilerErrors());

        var actual = compilation.AnalyzerDiagnostics().Select(UserCompilation.Position).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(Expectations(text).Order(StringComparer.Ordinal), actual);
    }

    [Fact]
    public void Invalid_corpus_covers_every_checker_diagnostic()
    {
        var expected = Directory.GetFiles(InvalidDirectory, "*.cs.txt")
            .SelectMany(f => Expectations(File.ReadAllText(f)))
            .Select(e => e.Split(' ')[0])
            .ToHashSet();

        var uncovered = ScriptDiagnostics.Checker.Select(d => d.Id).Where(id => !expected.Contains(id));

        Assert.Empty(uncovered);
    }

    [Fact]
    public void Valid_model_corpus_gives_no_diagnostics()
    {
        string corpus = Path.Combine(UserCompilation.ProjectDirectory(), "Corpus");
        var files = Directory.GetFiles(corpus, "*.cs").Select(p => (p, File.ReadAllText(p))).ToList();
        // The test project's implicit usings, which the corpus files rely on.
        files.Add(("GlobalUsings.cs", string.Concat(
            new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Threading", "System.Threading.Tasks", "Xunit" }
                .Select(n => $"global using {n};\n"))));
        var compilation = UserCompilation.Of([.. files]);
        Assert.Empty(compilation.CompilerErrors());
        Assert.Contains(compilation.Compilation.SyntaxTrees, t => t.ToString().Contains("[Script]", StringComparison.Ordinal));

        Assert.Empty(compilation.AnalyzerDiagnostics());
    }

    /// <summary>The "ID line:column" entries the file's <c>// expect:</c> comments list.</summary>
    private static IEnumerable<string> Expectations(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var comment = ExpectComment().Match(lines[i]);
            if (!comment.Success) continue;
            foreach (Match entry in ExpectEntry().Matches(comment.Groups[1].Value))
                yield return $"{entry.Groups[1].Value} {i + 1}:{entry.Groups[2].Value}";
        }
    }

    [GeneratedRegex(@"// expect:(.*)$")]
    private static partial Regex ExpectComment();

    [GeneratedRegex(@"(KILN\d{4}):(\d+)")]
    private static partial Regex ExpectEntry();
}
