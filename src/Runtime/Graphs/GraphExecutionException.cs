using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// A node failed while a <see cref="GraphExecutor"/> ran a graph: the message names the node as the
/// <c>.kir</c> text names it (<c>%3 = linear</c>), its source span and its graph, and
/// <see cref="Exception.InnerException"/> is what the kernel (or the node's own check) threw.
/// </summary>
public sealed class GraphExecutionException : Exception
{
    /// <summary>Creates the exception for <paramref name="node"/> failing with <paramref name="inner"/>.</summary>
    public GraphExecutionException(Node node, Exception inner)
        : this(node, new ValueNamer(node.Graph).Describe(node), inner)
    {
    }

    /// <summary>Creates an exception with a plain message (use the constructor that takes the node).</summary>
    public GraphExecutionException()
        : base("a graph node failed")
    {
        Where = "graph";
    }

    /// <summary>Creates an exception with a plain message (use the constructor that takes the node).</summary>
    public GraphExecutionException(string message)
        : base(message)
    {
        Where = "graph";
    }

    /// <summary>Creates an exception with a plain message and its cause (use the constructor that takes the node).</summary>
    public GraphExecutionException(string message, Exception inner)
        : base(message, inner)
    {
        Where = "graph";
    }

    private GraphExecutionException(Node node, string where, Exception inner)
        : base($"{(node.Span is { } span ? span + ": " : "")}{where} in @{node.Graph.Name}: {inner.Message}", inner)
    {
        Node = node;
        Where = where;
    }

    /// <summary>The node that failed, or null for an exception made with a plain message.</summary>
    public Node? Node { get; }

    /// <summary>The source span of the node that failed, or null.</summary>
    public SourceSpan? Span => Node?.Span;

    /// <summary>How the <c>.kir</c> text names the node: <c>%3 = linear</c>.</summary>
    public string Where { get; }
}
