using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Sources;
using Kiln.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Module = Kiln.NN.Module;

namespace Kiln.Frontend.Files;

/// <summary>
/// C# model files compiled at run time (what <c>kiln compile</c> does with the files it is given): compiled with
/// Roslyn against the platform and Kiln into an assembly that is loaded into the running app, so their [Script]
/// classes can be found (<see cref="FindModuleClass"/>), checked (<see cref="Check"/>), created and scripted with
/// <c>Jit.Script</c> like classes built into the app.
/// </summary>
/// <remarks>
/// The files need their own <c>using</c> directives (no implicit usings are added). Diagnostics name each file by the
/// path it was given with, so they read like the C# compiler's: <c>Model.cs(12,9): error CS0103: ...</c>.
/// </remarks>
public sealed class ScriptFiles
{
    private readonly CSharpCompilation compilation;

    private ScriptFiles(IReadOnlyList<ScriptSource> sources, CSharpCompilation compilation, IReadOnlyList<ScriptDiagnostic> errors, Assembly? assembly)
    {
        Sources = sources;
        this.compilation = compilation;
        Errors = errors;
        Assembly = assembly;
    }

    /// <summary>The files compiled, in the order given.</summary>
    public IReadOnlyList<ScriptSource> Sources { get; }

    /// <summary>The C# compiler's errors (CSxxxx), ordered by file and position; empty when the files compiled.</summary>
    public IReadOnlyList<ScriptDiagnostic> Errors { get; }

    /// <summary>The compiled assembly, loaded into the running app; null when there are <see cref="Errors"/>.</summary>
    public Assembly? Assembly { get; }

    /// <summary>Reads the C# files at <paramref name="paths"/> and <see cref="Compile"/>s them; each keeps its path as given.</summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    /// <exception cref="ArgumentException">No path is given.</exception>
    public static ScriptFiles Read(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Compile([.. paths.Select(p => new ScriptSource(p, File.ReadAllText(p)))]);
    }

    /// <summary>
    /// Compiles <paramref name="sources"/> into one assembly and, when they compile, loads it into its own load context
    /// (Kiln's types resolve to the app's own).
    /// </summary>
    /// <exception cref="ArgumentException">No source is given.</exception>
    public static ScriptFiles Compile(IReadOnlyList<ScriptSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) throw new ArgumentException("ScriptFiles.Compile: no C# files given", nameof(sources));
        var compilation = ScriptCompilation.Create("Kiln.ScriptFiles", sources.Select(s => (s.Text, s.Path)));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var order = sources.Select((s, i) => (s.Path, i)).GroupBy(p => p.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceTree is { } tree ? order.GetValueOrDefault(tree.FilePath, -1) : -1)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .Select(ToScriptDiagnostic).ToList();
        if (!emitted.Success) return new ScriptFiles(sources, compilation, errors, null);
        image.Position = 0;
        var assembly = new AssemblyLoadContext("Kiln.ScriptFiles").LoadFromStream(image);
        return new ScriptFiles(sources, compilation, [], assembly);
    }

    /// <summary>
    /// The class named <paramref name="name"/> (its simple name, or its full name when the simple name is ambiguous): a
    /// non-abstract, non-generic <see cref="Module"/> marked <see cref="ScriptAttribute"/> with a public parameterless
    /// constructor. Its source (all of <see cref="Sources"/>) is registered with <see cref="ScriptSources"/>, which is
    /// what the Kiln source generator does at build time, so <c>Jit.Script</c> can compile it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The files did not compile (<see cref="Errors"/>).</exception>
    /// <exception cref="ArgumentException">No such class, an ambiguous name, or a class that breaks one of the rules above; the message names it.</exception>
    public Type FindModuleClass(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var assembly = Assembly ?? throw new InvalidOperationException("ScriptFiles: the files did not compile; see Errors");
        // In name order, so messages list them the same way every time.
        var classes = assembly.GetTypes().Where(t => t.IsClass && !t.Name.Contains('<', StringComparison.Ordinal))
            .OrderBy(DisplayName, StringComparer.Ordinal).ToList();
        var byFullName = classes.Where(t => t.FullName == name || t.FullName?.Replace('+', '.') == name).ToList();
        var found = byFullName.Count > 0 ? byFullName : classes.Where(t => t.Name == name).ToList();
        if (found.Count == 0)
        {
            var modules = classes.Where(t => typeof(Module).IsAssignableFrom(t)).Select(DisplayName).ToList();
            throw new ArgumentException($"no class '{name}' in {string.Join(", ", Sources.Select(s => s.Path))}"
                + (modules.Count > 0 ? $" (module classes there: {string.Join(", ", modules)})" : " (they declare no module class)"));
        }
        if (found.Count > 1)
            throw new ArgumentException($"class name '{name}' is ambiguous: {string.Join(", ", found.Select(DisplayName))}; give the full name");
        var type = found[0];
        string problem = type switch
        {
            _ when !typeof(Module).IsAssignableFrom(type) => "does not derive from Kiln.NN.Module",
            _ when !type.IsDefined(typeof(ScriptAttribute), inherit: false) => "is not marked [Script]",
            { IsAbstract: true } => "is abstract",
            { ContainsGenericParameters: true } => "is generic",
            _ when type.GetConstructor(Type.EmptyTypes) is null => "has no public parameterless constructor",
            _ => "",
        };
        if (problem.Length > 0) throw new ArgumentException($"class '{DisplayName(type)}' {problem}");
        foreach (var source in Sources) ScriptSources.Register(type, source.Path, source.Text);
        return type;
    }

    /// <summary>
    /// Runs the [Script] subset checker (the one the build-time analyzer and <c>Jit.Script</c> run) on
    /// <paramref name="moduleClass"/>; its errors (KILN00xx) in source order, empty when the class can be scripted.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="moduleClass"/> is not declared in these files.</exception>
    public IReadOnlyList<ScriptDiagnostic> Check(Type moduleClass)
    {
        ArgumentNullException.ThrowIfNull(moduleClass);
        var symbol = moduleClass.Assembly == Assembly ? compilation.Assembly.GetTypeByMetadataName(RuntimeMembers.MetadataName(moduleClass)) : null;
        if (symbol is null) throw new ArgumentException($"ScriptFiles.Check: class '{moduleClass}' is not declared in these files", nameof(moduleClass));
        var result = ScriptSubsetChecker.Check(compilation, symbol);
        return ScriptErrors.FromChecker(result.Diagnostics)?.Diagnostics ?? [];
    }

    private static string DisplayName(Type type) => type.FullName?.Replace('+', '.') ?? type.Name;

    private static ScriptDiagnostic ToScriptDiagnostic(Diagnostic diagnostic)
    {
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        if (!diagnostic.Location.IsInSource) return new ScriptDiagnostic(diagnostic.Id, message, null, 0, 0);
        var span = diagnostic.Location.GetLineSpan();
        return new ScriptDiagnostic(diagnostic.Id, message, span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
    }
}
