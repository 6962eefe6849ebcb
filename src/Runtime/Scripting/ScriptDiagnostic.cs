namespace Kiln;

/// <summary>
/// A problem that stops a model from being scripted or traced: a stable ID (<c>KILN0003</c>), what is wrong,
/// where in the C# source, and how to fix it. The same diagnostics appear at build time from the analyzer.
/// </summary>
/// <param name="Id">The stable ID, listed in docs/diagnostics.md.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="File">The source file, or null when unknown.</param>
/// <param name="Line">The 1-based line, or 0 when unknown.</param>
/// <param name="Column">The 1-based column, or 0 when unknown.</param>
/// <param name="Hint">How to fix it, or null.</param>
public sealed record ScriptDiagnostic(string Id, string Message, string? File, int Line, int Column, string? Hint = null)
{
    /// <summary>Formats like a compiler error: <c>Net.cs(12,9): error KILN0003: message (hint)</c>.</summary>
    public override string ToString() =>
        (File is null ? "" : Line > 0 ? $"{File}({Line},{Column}): " : File + ": ")
        + $"error {Id}: {Message}" + (Hint is null ? "" : $" ({Hint})");
}

/// <summary>Scripting or tracing failed; <see cref="Diagnostics"/> lists every problem found.</summary>
public sealed class ScriptException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public ScriptException(IReadOnlyList<ScriptDiagnostic> diagnostics, Exception? inner = null)
        : base(string.Join(Environment.NewLine, diagnostics), inner) => Diagnostics = diagnostics;

    /// <summary>Creates the exception with a plain message.</summary>
    public ScriptException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with a plain message and its cause.</summary>
    public ScriptException(string message, Exception? inner)
        : base(message, inner) => Diagnostics = [];

    /// <summary>Creates an empty exception (use the other constructors).</summary>
    public ScriptException()
        : this("scripting failed")
    {
    }

    /// <summary>Every problem found, in source order.</summary>
    public IReadOnlyList<ScriptDiagnostic> Diagnostics { get; }
}
