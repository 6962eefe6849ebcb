namespace Kiln.Passes;

/// <summary>A pass failed or left an invalid graph. The message names the pass and the passes that ran before it.</summary>
public sealed class PassException : Exception
{
    /// <summary>Creates the exception for pass <paramref name="pass"/>, run after <paramref name="before"/>.</summary>
    public PassException(string pass, IReadOnlyList<string> before, string problem, Exception? inner = null)
        : base($"pass '{pass}' ({(before.Count == 0 ? "the first pass" : "after " + string.Join(", ", before))}) {problem}", inner)
    {
        Pass = pass;
        PassesBefore = before;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public PassException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with a plain message and its cause.</summary>
    public PassException(string message, Exception? inner)
        : base(message, inner)
    {
        Pass = "";
        PassesBefore = [];
    }

    /// <summary>Creates an empty exception (use the other constructors).</summary>
    public PassException()
        : this("a pass failed")
    {
    }

    /// <summary>The pass that failed.</summary>
    public string Pass { get; }

    /// <summary>The passes that ran before it, in order.</summary>
    public IReadOnlyList<string> PassesBefore { get; }
}
