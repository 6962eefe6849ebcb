namespace Kiln.Passes;

/// <summary>One pass a pipeline can name: its name, what it does, and how to make it from options.</summary>
/// <param name="Name">The name in pipeline strings.</param>
/// <param name="Description">One line for <c>kiln opt --help</c>.</param>
/// <param name="Create">Makes the pass; throws <see cref="ArgumentException"/> for options it does not take.</param>
public sealed record PassInfo(string Name, string Description, Func<PassOptions, IGraphPass> Create);

/// <summary>Every pass by name, and the named pipelines (<c>O0</c>, <c>O1</c>, <c>O2</c>).</summary>
public static class PassRegistry
{
    private static readonly PassInfo[] Passes =
    [
        new("inline", "replaces calls of helper and submodule graphs with the callee's body", o => { o.CheckKnown("inline"); return new InlinePass(); }),
    ];

    private static readonly Dictionary<string, string[]> Pipelines = new(StringComparer.Ordinal)
    {
        // O0 runs nothing: the graph as captured, for debugging and for checking passes against.
        ["O0"] = [],
        ["O1"] = [],
        ["O2"] = [],
    };

    /// <summary>Every registered pass, in registration order.</summary>
    public static IReadOnlyList<PassInfo> All => Passes;

    /// <summary>The names of the named pipelines.</summary>
    public static IReadOnlyCollection<string> PipelineNames => Pipelines.Keys;

    /// <summary>The pass called <paramref name="name"/>, or null.</summary>
    public static PassInfo? Find(string name) => Array.Find(Passes, p => p.Name == name);

    /// <summary>The passes of named pipeline <paramref name="name"/>, or null when there is no such pipeline.</summary>
    public static IReadOnlyList<string>? Pipeline(string name) => Pipelines.GetValueOrDefault(name);
}
