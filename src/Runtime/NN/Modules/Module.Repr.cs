using System.Text;

namespace Kiln.NN;

// The printed form of a module, as PyTorch prints it.
public abstract partial class Module
{
    /// <summary>The module's settings as PyTorch prints them inside its parentheses (<c>in_features=4, ...</c>).</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>The module tree as PyTorch prints it: <c>Linear(in_features=4, out_features=2, bias=True)</c>, children indented.</summary>
    public override string ToString()
    {
        var name = GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        var children = NamedChildren().ToArray();
        var extra = ExtraRepr();
        if (children.Length == 0) return $"{name}({extra})";
        var sb = new StringBuilder(name).Append('(');
        if (extra.Length > 0) sb.Append("\n  ").Append(extra);
        foreach (var (childName, child) in children)
            sb.Append("\n  (").Append(childName).Append("): ").Append(child.ToString().Replace("\n", "\n  ", StringComparison.Ordinal));
        return sb.Append("\n)").ToString();
    }
}
