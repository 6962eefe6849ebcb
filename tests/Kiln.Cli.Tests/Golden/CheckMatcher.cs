using System.Globalization;
using System.Text;

namespace Kiln.Cli.Tests.Golden;

/// <summary>
/// A small FileCheck: CHECK lines match, in order, as substrings of successive output lines; CHECK-NEXT
/// and CHECK-EMPTY must match the line right after the previous match; CHECK-NOT text must not appear
/// between the previous match and the next one (or the end of the output).
/// </summary>
internal static class CheckMatcher
{
    /// <summary>Null when <paramref name="output"/> satisfies <paramref name="checks"/>, else what failed and the numbered output.</summary>
    public static string? Match(IReadOnlyList<Directive> checks, string output)
    {
        var lines = output.EndsWith('\n') ? output[..^1].Split('\n') : output.Split('\n');
        int next = 0; // the first output line not yet consumed by a match
        var nots = new List<Directive>();
        foreach (var check in checks)
        {
            int at;
            switch (check.Kind)
            {
                case DirectiveKind.CheckNot:
                    nots.Add(check);
                    continue;
                case DirectiveKind.Check:
                    at = Array.FindIndex(lines, next, l => l.Contains(check.Text, StringComparison.Ordinal));
                    if (at < 0) return Failure(check, $"not found at or after output line {next + 1}", lines);
                    break;
                default:
                    at = next;
                    bool ok = at < lines.Length && (check.Kind == DirectiveKind.CheckEmpty ? lines[at].Length == 0 : lines[at].Contains(check.Text, StringComparison.Ordinal));
                    if (!ok) return Failure(check, at < lines.Length ? $"output line {at + 1} does not match" : "the output ended", lines);
                    break;
            }
            if (Forbidden(nots, lines, next, at) is { } found) return found;
            nots.Clear();
            next = at + 1;
        }
        return Forbidden(nots, lines, next, lines.Length);
    }

    /// <summary>A failure when a CHECK-NOT text occurs in output lines [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static string? Forbidden(List<Directive> nots, string[] lines, int from, int to)
    {
        foreach (var not in nots)
        {
            for (int i = from; i < to; i++)
            {
                if (lines[i].Contains(not.Text, StringComparison.Ordinal))
                    return Failure(not, string.Create(CultureInfo.InvariantCulture, $"found on output line {i + 1}"), lines);
            }
        }
        return null;
    }

    private static string Failure(Directive check, string problem, string[] lines)
    {
        var sb = new StringBuilder().Append(check).Append(": ").Append(problem).Append(". The output:\n");
        for (int i = 0; i < lines.Length; i++) sb.Append(CultureInfo.InvariantCulture, $"{i + 1,4} | {lines[i]}\n");
        return sb.ToString();
    }
}
