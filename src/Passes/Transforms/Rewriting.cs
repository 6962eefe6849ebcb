using Kiln.IR;

namespace Kiln.Passes;

/// <summary>The node replacements the passes share: redirect a node's uses, then drop what is left unread.</summary>
internal static class Rewriting
{
    /// <summary>
    /// Makes every use of <paramref name="node"/>'s results read <paramref name="replacements"/> (one per
    /// result), then removes the node and any operand producer that is left unread.
    /// </summary>
    public static void Replace(Node node, IReadOnlyList<Value> replacements)
    {
        for (int i = 0; i < node.Results.Count; i++) node.Results[i].ReplaceAllUsesWith(replacements[i]);
        RemoveIfDead(node);
    }

    /// <summary>
    /// Removes <paramref name="node"/> when none of its results is read, then each producer of a value it
    /// read (as an operand or inside its blocks) that is left unread, recursively (nothing in the IR has
    /// side effects). Returns whether it went.
    /// </summary>
    public static bool RemoveIfDead(Node node)
    {
        if (node.Owner is not { } block || node.Results.Any(r => r.Uses.Count > 0)) return false;
        var inside = node.Blocks.SelectMany(b => b.AllNodes()).ToHashSet();
        var read = node.Operands
            .Concat(node.Blocks.SelectMany(b => b.Returns.Concat(b.AllNodes().SelectMany(n => n.Operands))));
        var producers = read.Select(v => v.Producer).OfType<Node>().Where(p => !inside.Contains(p)).Distinct().ToArray();
        block.Remove(node);
        foreach (var p in producers) RemoveIfDead(p);
        return true;
    }
}
