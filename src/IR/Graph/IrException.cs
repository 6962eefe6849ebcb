namespace Kiln.IR;

/// <summary>One problem with a graph, located at a node (and so at its source span) where there is one.</summary>
/// <param name="Node">The node at fault, or null for a graph-level problem or a node not yet built.</param>
/// <param name="Span">The source span of the node at fault, or null.</param>
/// <param name="Where">How the node is named in text (<c>%3 = linear</c>), or the graph-level place.</param>
/// <param name="Message">What is wrong.</param>
public sealed record IrError(Node? Node, SourceSpan? Span, string Where, string Message)
{
    /// <summary>
    /// An error about a node called <paramref name="name"/>: a leading <c>name: </c> in the message (op
    /// rules start their messages so) is dropped, since <paramref name="where"/> already names the node.
    /// </summary>
    public static IrError About(Node? node, SourceSpan? span, string where, string name, string message) =>
        new(node, span, where, message.StartsWith(name + ": ", StringComparison.Ordinal) ? message[(name.Length + 2)..] : message);

    /// <summary>Formats as <c>mlp.cs:12:9: %3 = linear: message</c>.</summary>
    public override string ToString() => Span is { } span ? $"{span}: {Where}: {Message}" : $"{Where}: {Message}";
}

/// <summary>A graph failed to build or to verify; <see cref="Errors"/> lists every problem found.</summary>
public sealed class IrException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public IrException(IReadOnlyList<IrError> errors, Exception? inner = null)
        : base(string.Join(Environment.NewLine, errors), inner) => Errors = errors;

    /// <summary>Creates the exception with a plain message.</summary>
    public IrException(string message)
        : this([new IrError(null, null, "graph", message)])
    {
    }

    /// <summary>Creates an empty exception (use the other constructors).</summary>
    public IrException()
        : this("invalid graph")
    {
    }

    /// <summary>Creates the exception with a plain message and its cause.</summary>
    public IrException(string message, Exception inner)
        : this([new IrError(null, null, "graph", message)], inner)
    {
    }

    /// <summary>Every problem found, in graph order.</summary>
    public IReadOnlyList<IrError> Errors { get; }
}
