using System.Globalization;
using System.Text;

namespace Kiln.IR;

/// <summary>
/// Prints a graph as <c>.kir</c> text: one node per line with the types of its results, attributes in
/// braces, if/loop blocks nested and indented, source spans as trailing <c>loc("file.cs":12:9)</c>.
/// <see cref="KirParser"/> reads it back.
/// </summary>
public static class KirPrinter
{
    /// <summary>The text of <paramref name="graph"/>.</summary>
    public static string Print(Graph graph)
    {
        var names = new ValueNamer(graph);
        var sb = new StringBuilder();
        sb.Append("graph @").Append(graph.Name).Append('(');
        sb.AppendJoin(", ", graph.Body.Params.Select(p => (graph.IsParameter(p) ? "param " : "") + Typed(names, p)));
        sb.Append(") -> (").AppendJoin(", ", graph.Outputs.Select(o => o.Type)).Append(") {\n");
        PrintBody(sb, names, graph.Body, 1);
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>The text of every graph of <paramref name="module"/>, separated by blank lines.</summary>
    public static string Print(GraphModule module) => string.Join("\n", module.Graphs.Select(Print));

    /// <summary>Formats a source span as <c>loc("mlp.cs":12:9)</c> or <c>loc("mlp.cs":12:9 to 12:30)</c>.</summary>
    public static string FormatLocation(SourceSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"loc({KirSyntax.Quote(span.File)}:{span.Line}:{span.Column}")
        + (span.HasEnd ? string.Create(CultureInfo.InvariantCulture, $" to {span.EndLine}:{span.EndColumn})") : ")");

    private static string Typed(ValueNamer names, Value v) => names[v] + ": " + v.Type;

    private static void PrintBody(StringBuilder sb, ValueNamer names, Block block, int depth)
    {
        foreach (var node in block.Nodes) PrintNode(sb, names, node, depth);
        Indent(sb, depth).Append("return");
        if (block.Returns.Count > 0) sb.Append(' ').AppendJoin(", ", block.Returns.Select(r => names[r]));
        sb.Append('\n');
    }

    private static void PrintNode(StringBuilder sb, ValueNamer names, Node node, int depth)
    {
        Indent(sb, depth);
        if (node.Results.Count > 0) sb.AppendJoin(", ", node.Results.Select(r => Typed(names, r))).Append(" = ");
        sb.Append(node.Name);
        if (node.Callee is { } callee) sb.Append(" @").Append(callee.Name);
        if (node.Kind == NodeKind.Constant)
            sb.Append(' ').Append(FormatConstant(node.Constant));
        else
            sb.Append('(').AppendJoin(", ", node.Operands.Select(o => names[o])).Append(')');
        if (KirSyntax.FormatAttributes(node.Attrs) is { Length: > 0 } attrs) sb.Append(' ').Append(attrs);
        if (node.Blocks.Count > 0)
        {
            sb.Append(" {\n");
            var labels = NodeKinds.BlockLabels(node.Kind);
            for (int i = 0; i < node.Blocks.Count; i++)
            {
                var b = node.Blocks[i];
                Indent(sb, depth).Append(i < labels.Count ? labels[i] : "block");
                if (b.Params.Count > 0) sb.Append('(').AppendJoin(", ", b.Params.Select(p => Typed(names, p))).Append(')');
                sb.Append(":\n");
                PrintBody(sb, names, b, depth + 1);
            }
            Indent(sb, depth).Append('}');
        }
        if (node.Span is { } span) sb.Append(' ').Append(FormatLocation(span));
        sb.Append('\n');
    }

    /// <summary>Formats a constant's payload: <c>3</c>, <c>0.5</c>, <c>true</c>, <c>none</c>, <c>dense&lt;0.0&gt;</c>, <c>@fc1.weight</c>.</summary>
    internal static string FormatConstant(object? payload) => payload switch
    {
        DenseConstant d => d.ToString(),
        TensorConstant t => "@" + (t.Name.All(KirSyntax.IsNameChar) && t.Name.Length > 0 ? t.Name : KirSyntax.Quote(t.Name)),
        _ => KirSyntax.FormatAttribute(payload),
    };

    private static StringBuilder Indent(StringBuilder sb, int depth) => sb.Append(' ', depth * 2);
}
