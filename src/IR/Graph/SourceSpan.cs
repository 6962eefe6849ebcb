namespace Kiln.IR;

/// <summary>
/// Where a node came from in C# source: file, 1-based line and column, and optionally where it ends.
/// Every error about a node quotes it.
/// </summary>
/// <param name="File">The source file's path or name.</param>
/// <param name="Line">The 1-based line of the first character.</param>
/// <param name="Column">The 1-based column of the first character.</param>
/// <param name="EndLine">The 1-based line of the last character, or 0 when only the start is known.</param>
/// <param name="EndColumn">The 1-based column just past the last character, or 0 when only the start is known.</param>
public sealed record SourceSpan(string File, int Line, int Column, int EndLine = 0, int EndColumn = 0)
{
    /// <summary>Whether the end position is known.</summary>
    public bool HasEnd => EndLine > 0;

    /// <summary>Formats as <c>mlp.cs:12:9</c> or <c>mlp.cs:12:9-12:30</c>.</summary>
    public override string ToString() => HasEnd ? $"{File}:{Line}:{Column}-{EndLine}:{EndColumn}" : $"{File}:{Line}:{Column}";
}
