using System.Globalization;

namespace Kiln.Cli.Tests.Golden;

/// <summary>The kinds of expectation a golden file states in its comment lines.</summary>
internal enum DirectiveKind
{
    /// <summary><c># CHECK: text</c>: a later output line contains the text.</summary>
    Check,
    /// <summary><c># CHECK-NEXT: text</c>: the line right after the previous match contains the text.</summary>
    CheckNext,
    /// <summary><c># CHECK-NOT: text</c>: no line between the previous match and the next one contains the text.</summary>
    CheckNot,
    /// <summary><c># CHECK-EMPTY</c>: the line right after the previous match is empty.</summary>
    CheckEmpty,
    /// <summary><c># ERROR: text</c>: <c>kiln opt</c> fails with an error containing the text.</summary>
    Error,
}

/// <summary>One expectation and the file line it is written on (for failure messages).</summary>
/// <param name="Kind">What is expected.</param>
/// <param name="Text">The text to look for (empty for <see cref="DirectiveKind.CheckEmpty"/>).</param>
/// <param name="Line">The 1-based line of the directive in the golden file.</param>
internal sealed record Directive(DirectiveKind Kind, string Text, int Line)
{
    /// <summary>How failures quote the directive: <c>line 12: CHECK-NEXT: relu</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"line {Line}: {GoldenFile.Spelling(Kind)}{(Kind == DirectiveKind.CheckEmpty ? "" : ": " + Text)}");
}

/// <summary>
/// A golden file: <c>.kir</c> text whose <c>#</c> comment lines (which the <c>.kir</c> lexer skips) hold a
/// <c># RUN: [--no-verify] pipeline</c> line and either output checks (<c># CHECK:</c> and friends) or, for invalid IR, the
/// expected error (<c># ERROR: text</c>). The whole file is the input, so line:col in errors are file positions.
/// </summary>
internal sealed class GoldenFile
{
    private static readonly (DirectiveKind Kind, string Spelling)[] Spellings =
    [
        (DirectiveKind.CheckNext, "CHECK-NEXT"), (DirectiveKind.CheckNot, "CHECK-NOT"), (DirectiveKind.CheckEmpty, "CHECK-EMPTY"),
        (DirectiveKind.Check, "CHECK"), (DirectiveKind.Error, "ERROR"),
    ];

    private const string NoVerify = "--no-verify";

    private GoldenFile(string text, string pipeline, bool verify, IReadOnlyList<Directive> checks, IReadOnlyList<Directive> errors)
    {
        Text = text;
        Pipeline = pipeline;
        Verify = verify;
        Checks = checks;
        Errors = errors;
    }

    /// <summary>The whole file: the input to <c>kiln opt</c>.</summary>
    public string Text { get; }

    /// <summary>The pipeline of the <c># RUN:</c> line (empty: parse, verify and print only).</summary>
    public string Pipeline { get; }

    /// <summary>
    /// False when the RUN line starts with <c>--no-verify</c>: the input is not verified (to give
    /// <c>shape-propagation</c> stale types to repair); the output still must verify when parsed back.
    /// </summary>
    public bool Verify { get; }

    /// <summary>The output checks, in file order (empty when the file expects an error).</summary>
    public IReadOnlyList<Directive> Checks { get; }

    /// <summary>The substrings the error must contain (empty when the file expects output).</summary>
    public IReadOnlyList<Directive> Errors { get; }

    /// <summary>How a directive kind is written.</summary>
    public static string Spelling(DirectiveKind kind) => Array.Find(Spellings, s => s.Kind == kind).Spelling;

    /// <summary>Reads the golden file at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The directives are malformed (the message names the line).</exception>
    public static GoldenFile Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Reads golden-file <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">
    /// No or several RUN lines, a misspelt directive, CHECK-NEXT or CHECK-EMPTY with no match before it,
    /// both checks and errors, or neither.
    /// </exception>
    public static GoldenFile Parse(string text)
    {
        string? pipeline = null;
        var checks = new List<Directive>();
        var errors = new List<Directive>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('#')) continue;
            var comment = line[1..].Trim();
            int lineNo = i + 1;
            if (IsDirective(comment, "RUN", out var run))
            {
                if (pipeline is not null) throw Malformed(lineNo, "a second RUN line; a golden file runs one pipeline");
                pipeline = run;
            }
            else if (ReadDirective(comment, lineNo) is { } d)
            {
                if (d.Kind is DirectiveKind.CheckNext or DirectiveKind.CheckEmpty && !checks.Any(c => c.Kind != DirectiveKind.CheckNot))
                    throw Malformed(lineNo, $"{Spelling(d.Kind)} needs a CHECK before it");
                (d.Kind == DirectiveKind.Error ? errors : checks).Add(d);
            }
        }
        if (pipeline is null) throw Malformed(1, "no '# RUN: <pipeline>' line");
        if (checks.Count > 0 == errors.Count > 0)
            throw Malformed(1, checks.Count > 0 ? "both CHECK and ERROR lines; expect output or an error, not both" : "no CHECK or ERROR lines: the file would test nothing");
        bool verify = !pipeline.StartsWith(NoVerify, StringComparison.Ordinal);
        if (!verify) pipeline = pipeline[NoVerify.Length..].Trim();
        if (pipeline.StartsWith('-')) throw Malformed(1, $"RUN takes a pipeline, optionally after {NoVerify}, not '{pipeline}'");
        return new GoldenFile(text, pipeline, verify, checks, errors);
    }

    /// <summary>The directive in a comment's text, null for a plain comment; throws on a misspelt directive.</summary>
    private static Directive? ReadDirective(string comment, int line)
    {
        foreach (var (kind, spelling) in Spellings)
        {
            if (kind == DirectiveKind.CheckEmpty)
            {
                if (comment == spelling) return new Directive(kind, "", line);
            }
            else if (IsDirective(comment, spelling, out var rest))
            {
                return rest.Length > 0 ? new Directive(kind, rest, line) : throw Malformed(line, $"{spelling} with nothing to look for");
            }
        }
        // "CHECK-NXT:", "CHECK text" or "ERROR" alone are typos that would silently check nothing.
        if (comment.StartsWith("CHECK", StringComparison.Ordinal) || comment.StartsWith("ERROR", StringComparison.Ordinal) || comment.StartsWith("RUN", StringComparison.Ordinal))
            throw Malformed(line, $"'{comment}' is not a directive; write RUN:, CHECK:, CHECK-NEXT:, CHECK-NOT:, CHECK-EMPTY or ERROR:");
        return null;
    }

    private static bool IsDirective(string comment, string spelling, out string rest)
    {
        bool match = comment.StartsWith(spelling + ":", StringComparison.Ordinal);
        rest = match ? comment[(spelling.Length + 1)..].Trim() : "";
        return match;
    }

    private static FormatException Malformed(int line, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"golden file line {line}: {problem}"));
}
