using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Kiln.Frontend.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kiln.Frontend.Tests.Analyzers;

/// <summary>
/// A real C# compilation of user code against the Kiln assemblies this test process loaded, as a user's build would
/// compile it, with helpers to run the Kiln analyzer and source generator on it.
/// </summary>
internal sealed class UserCompilation
{
    private static readonly ImmutableArray<MetadataReference> References = BuildReferences();

    private UserCompilation(CSharpCompilation compilation) => Compilation = compilation;

    /// <summary>The compilation.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>Compiles <paramref name="files"/> (path, text) into a library, unsafe code allowed, against the .NET
    /// framework, Kiln and this test project's references.</summary>
    public static UserCompilation Of(params (string Path, string Text)[] files) =>
        new(CSharpCompilation.Create(
            "User" + Guid.NewGuid().ToString("N"),
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, new CSharpParseOptions(LanguageVersion.Latest), f.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true)));

    /// <summary>The compiler's own errors (a test case must compile, or its diagnostics mean nothing).</summary>
    public IReadOnlyList<Diagnostic> CompilerErrors() =>
        [.. Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];

    /// <summary>What <see cref="ScriptAnalyzer"/> reports, run as the compiler runs analyzers (an analyzer exception fails the test).</summary>
    public IReadOnlyList<Diagnostic> AnalyzerDiagnostics()
    {
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (e, _, _) => exceptions.Add(e), concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var diagnostics = Compilation.WithAnalyzers([new ScriptAnalyzer()], options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.Empty(exceptions);
        return [.. diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>Runs <see cref="ScriptSourceGenerator"/> (steps tracked) and returns the driver and the compilation with its output.</summary>
    public (GeneratorDriver Driver, Compilation Output) Generate(GeneratorDriver? driver = null)
    {
        driver ??= CSharpGeneratorDriver.Create([new ScriptSourceGenerator().AsSourceGenerator()],
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(Compilation, out var output, out var errors);
        Assert.Empty(errors);
        return (driver, output);
    }

    /// <summary>This compilation with the file at <paramref name="path"/> replaced by <paramref name="text"/>.</summary>
    public UserCompilation WithFile(string path, string text)
    {
        var old = Compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return new(Compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)old.Options, path)));
    }

    /// <summary>"ID line:column" of <paramref name="diagnostic"/> (1-based), as the golden files write it.</summary>
    public static string Position(Diagnostic diagnostic)
    {
        var start = diagnostic.Location.GetLineSpan().StartLinePosition;
        return $"{diagnostic.Id} {start.Line + 1}:{start.Character + 1}";
    }

    /// <summary>The source text <paramref name="diagnostic"/> points at.</summary>
    public static string SpanText(Diagnostic diagnostic) =>
        diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    /// <summary>The test project's directory (tests/Kiln.Frontend.Tests), where the corpus files are.</summary>
    public static string ProjectDirectory([CallerFilePath] string thisFile = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(thisFile))!;

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == runtime);
        // Kiln, and whatever else this test project compiles against (xunit, for the corpus's test helpers).
        var libraries = typeof(UserCompilation).Assembly.GetReferencedAssemblies()
            .Select(name => System.Reflection.Assembly.Load(name).Location)
            .Append(typeof(Tensor).Assembly.Location)
            .Append(typeof(DType).Assembly.Location);
        return [.. framework.Concat(libraries).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
