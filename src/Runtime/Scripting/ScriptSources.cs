namespace Kiln.Scripting;

/// <summary>One C# source file captured at build time for scripting.</summary>
/// <param name="Path">The file's path when it was compiled (for diagnostics).</param>
/// <param name="Text">The file's text.</param>
public sealed record ScriptSource(string Path, string Text);

/// <summary>
/// The C# source of each <see cref="ScriptAttribute"/> class and of the user types it uses, registered by code the
/// Kiln source generator adds to the user's assembly, so <c>Jit.Script</c> works in a published app
/// without its .cs files.
/// </summary>
public static class ScriptSources
{
    private static readonly Dictionary<Type, List<ScriptSource>> Sources = [];
    private static readonly Lock Gate = new();

    /// <summary>Registers source file <paramref name="path"/> of <paramref name="type"/> (called by generated code).</summary>
    public static void Register(Type type, string path, string text)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (Gate)
        {
            if (!Sources.TryGetValue(type, out var list)) Sources[type] = list = [];
            if (!list.Any(s => s.Path == path)) list.Add(new ScriptSource(path, text));
        }
    }

    /// <summary>The sources registered for <paramref name="type"/> (empty when none).</summary>
    public static IReadOnlyList<ScriptSource> For(Type type)
    {
        lock (Gate) return Sources.TryGetValue(type, out var list) ? [.. list] : [];
    }
}
