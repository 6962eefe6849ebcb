namespace Kiln.IR;

/// <summary>The <c>.kir</c> text is malformed; the message gives the line and column and what was expected.</summary>
public sealed class KirParseException : FormatException
{
    /// <summary>Creates the exception for a problem at <paramref name="line"/>:<paramref name="column"/>.</summary>
    public KirParseException(int line, int column, string message)
        : base($"{line}:{column}: {message}")
    {
        Line = line;
        Column = column;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public KirParseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a plain message and its cause.</summary>
    public KirParseException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates an empty exception (use the other constructors).</summary>
    public KirParseException()
    {
    }

    /// <summary>The 1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the problem.</summary>
    public int Column { get; }
}
