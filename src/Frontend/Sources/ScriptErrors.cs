using Kiln.Frontend.Analyzers;
using Kiln.IR;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Sources;

/// <summary>
/// The frontend's errors as <see cref="ScriptException"/>s carrying [Script] diagnostics from the shared table
/// (<see cref="ScriptDiagnostics"/>): the same IDs, texts and hints the build-time analyzer reports.
/// </summary>
internal static class ScriptErrors
{
    /// <summary>A <paramref name="id"/> error at <paramref name="syntax"/>'s location.</summary>
    public static ScriptException At(SyntaxNode? syntax, string id, params object[] args) =>
        new([Diagnostic(id, syntax?.GetLocation(), args)]);

    /// <summary>A <see cref="ScriptDiagnosticIds.LoweringFailed"/> error: <paramref name="syntax"/> could not be lowered because of <paramref name="reason"/>.</summary>
    public static ScriptException Lowering(SyntaxNode syntax, string reason, Exception? inner = null) =>
        new([Diagnostic(ScriptDiagnosticIds.LoweringFailed, syntax.GetLocation(), Shorten(syntax), reason)], inner);

    /// <summary>An <see cref="ScriptDiagnosticIds.UnsupportedConstruct"/> error naming what <paramref name="syntax"/> is.</summary>
    public static ScriptException Unsupported(SyntaxNode syntax, string what) =>
        At(syntax, ScriptDiagnosticIds.UnsupportedConstruct, what);

    /// <summary>No source was captured for <paramref name="type"/>: the Kiln source generator did not run on its assembly.</summary>
    public static ScriptException NoSource(Type type) =>
        new([new ScriptDiagnostic(ScriptDiagnosticIds.NoCapturedSource,
            ScriptDiagnostics.FormatProblem(ScriptDiagnosticIds.NoCapturedSource, type.FullName ?? type.Name)
                + " (the Kiln source generator did not run on its assembly)",
            null, 0, 0, ScriptDiagnostics.Hint(ScriptDiagnosticIds.NoCapturedSource))]);

    /// <summary>The captured source of <paramref name="type"/> does not compile against the running app's assemblies.</summary>
    public static ScriptException SourceDoesNotCompile(Type type, IEnumerable<Diagnostic> errors) =>
        new([.. errors.Take(10).Select(e => FromRoslyn(e, ScriptDiagnosticIds.LoweringFailed,
            $"the captured source of '{type.Name}' does not compile: {e.Id}: {e.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"))]);

    /// <summary>The subset checker's diagnostics (errors only) as a script exception, or null when there are none.</summary>
    public static ScriptException? FromChecker(IEnumerable<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .Select(d => FromRoslyn(d, d.Id, ScriptDiagnostics.Problem(d))).ToList();
        return errors.Count == 0 ? null : new ScriptException(errors);
    }

    /// <summary>The IR span of <paramref name="syntax"/>: file, start and end (1-based lines and columns).</summary>
    public static SourceSpan Span(SyntaxNode syntax)
    {
        var span = syntax.GetLocation().GetLineSpan();
        return new SourceSpan(span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
            span.EndLinePosition.Line + 1, span.EndLinePosition.Character + 1);
    }

    /// <summary>The diagnostic for <paramref name="id"/> with <paramref name="args"/> at <paramref name="location"/>.</summary>
    public static ScriptDiagnostic Diagnostic(string id, Location? location, params object[] args)
    {
        var (file, line, column) = Position(location);
        return new ScriptDiagnostic(id, ScriptDiagnostics.FormatProblem(id, args), file, line, column, ScriptDiagnostics.Hint(id));
    }

    /// <summary>The first line of <paramref name="syntax"/>'s text, shortened for messages.</summary>
    public static string Shorten(SyntaxNode syntax)
    {
        var text = syntax.ToString();
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0) text = text[..newline].TrimEnd() + " ...";
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    private static ScriptDiagnostic FromRoslyn(Diagnostic d, string id, string message)
    {
        var (file, line, column) = Position(d.Location);
        return new ScriptDiagnostic(id, message, file, line, column, IsTableId(id) ? ScriptDiagnostics.Hint(id) : null);
    }

    private static bool IsTableId(string id) => ScriptDiagnostics.All.Any(d => d.Id == id);

    private static (string? File, int Line, int Column) Position(Location? location)
    {
        if (location is null || !location.IsInSource) return (null, 0, 0);
        var span = location.GetLineSpan();
        return (span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
    }
}
