using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Frontend.Sources;

/// <summary>
/// How the frontend compiles C# it is given at run time — captured [Script] sources and the files of <c>kiln compile</c>
/// alike, so what compiles in one lowers in the other: the preview language, nullable on, unsafe allowed, against the
/// platform (the running app's trusted platform assemblies, which include its own dependencies) and Kiln's assemblies.
/// </summary>
internal static class ScriptCompilation
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> Platform = new(LoadPlatform);

    /// <summary>The compilation of <paramref name="sources"/> (text and path) named <paramref name="name"/>, also referencing <paramref name="assemblies"/>.</summary>
    public static CSharpCompilation Create(string name, IEnumerable<(string Text, string Path)> sources, params Assembly[] assemblies)
    {
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path));
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release);
        return CSharpCompilation.Create(name, trees, References([typeof(Tensor).Assembly, typeof(IR.Graph).Assembly, .. assemblies]), options);
    }

    // Assemblies already among the platform's are not added twice; single-file apps have no assembly paths, hence the filter.
    private static IEnumerable<MetadataReference> References(Assembly[] assemblies)
    {
        var known = Platform.Value;
        var knownNames = known.Select(r => Path.GetFileName(r.Display)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var extra = assemblies.Select(a => a.Location)
            .Where(p => p.Length > 0 && !knownNames.Contains(Path.GetFileName(p)))
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        return known.Concat(extra);
    }

    private static ImmutableArray<MetadataReference> LoadPlatform()
    {
        var paths = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. paths.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
