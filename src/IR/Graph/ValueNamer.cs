using System.Globalization;

namespace Kiln.IR;

/// <summary>
/// The names values get in text: their <see cref="Value.Name"/> where it is a valid name, made unique
/// with a suffix, else a number. Values are named in print order, so printer, verifier messages and a
/// re-parsed graph agree.
/// </summary>
public sealed class ValueNamer
{
    private readonly Dictionary<Value, string> names = [];
    private readonly HashSet<string> taken = new(StringComparer.Ordinal);
    private int next;

    /// <summary>Names every value of <paramref name="graph"/>.</summary>
    public ValueNamer(Graph graph)
    {
        foreach (var p in graph.Body.Params) Assign(p);
        NameBlock(graph.Body);
    }

    /// <summary>The text name of <paramref name="value"/>, with its <c>%</c>.</summary>
    public string this[Value value] => "%" + (names.TryGetValue(value, out var n) ? n : "<detached#" + value.Id.ToString(CultureInfo.InvariantCulture) + ">");

    /// <summary>How messages name a node: <c>%3 = linear</c>, <c>%h, %c = loop</c>, or just <c>if</c> with no results.</summary>
    public string Describe(Node node) =>
        node.Results.Count == 0 ? node.Name : string.Join(", ", node.Results.Select(r => this[r])) + " = " + node.Name;

    private void NameBlock(Block block)
    {
        foreach (var node in block.Nodes)
        {
            foreach (var r in node.Results) Assign(r);
            foreach (var b in node.Blocks)
            {
                foreach (var p in b.Params) Assign(p);
                NameBlock(b);
            }
        }
    }

    private void Assign(Value value)
    {
        string name;
        // All-digit names are the numbers given to unnamed values; any other name is kept (Sequential's "0.weight").
        if (value.Name is { Length: > 0 } hint && !hint.All(char.IsAsciiDigit) && hint.All(KirSyntax.IsNameChar))
        {
            name = hint;
            for (int k = 1; taken.Contains(name); k++) name = hint + "_" + k.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            name = (next++).ToString(CultureInfo.InvariantCulture);
        }
        taken.Add(name);
        names[value] = name;
    }
}
