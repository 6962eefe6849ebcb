using System.Collections.Concurrent;
using System.Collections.Immutable;
using Kiln.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Sources;

/// <summary>
/// The captured C# source of a [Script] class (and the user types it uses) compiled with Roslyn against the
/// running app's assemblies: where the frontend finds the symbols and operation trees it lowers. One program is
/// built per class and cached.
/// </summary>
internal sealed class ScriptProgram
{
    private static readonly ConcurrentDictionary<Type, ScriptProgram> Cache = new();
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> models = new();
    private readonly ConcurrentDictionary<IMethodSymbol, IOperation?> bodies = new(SymbolEqualityComparer.Default);

    private ScriptProgram(Type root, CSharpCompilation compilation)
    {
        Root = root;
        Compilation = compilation;
    }

    /// <summary>The class whose sources this program compiles.</summary>
    public Type Root { get; }

    /// <summary>The compilation of the captured sources.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>The program for <paramref name="type"/>'s captured sources, compiled once.</summary>
    /// <exception cref="ScriptException">No source was captured for the type (the Kiln source generator did not run).</exception>
    public static ScriptProgram For(Type type) => Cache.GetOrAdd(type, Build);

    /// <summary>
    /// The program that declares <paramref name="type"/> in source: its own, when sources were registered for it,
    /// else one already built whose sources contain it (the generator captures the user types a class uses with
    /// the class); null when no source is known.
    /// </summary>
    public static ScriptProgram? Declaring(Type type)
    {
        if (ScriptSources.For(type).Count > 0) return For(type);
        return Cache.Values.FirstOrDefault(p => p.SourceType(type) is not null);
    }

    /// <summary>The source declaration of <paramref name="type"/> in this program, or null.</summary>
    public INamedTypeSymbol? SourceType(Type type)
    {
        var symbol = Compilation.Assembly.GetTypeByMetadataName(RuntimeMembers.MetadataName(type));
        return symbol is not null && symbol.Locations.Any(l => l.IsInSource) ? symbol : null;
    }

    /// <summary>The source symbol of runtime method <paramref name="method"/>, or null when its type is not declared in this program.</summary>
    public IMethodSymbol? SourceMethod(System.Reflection.MethodBase method)
    {
        var type = method.DeclaringType is { } declaring ? SourceType(declaring) : null;
        var target = method is System.Reflection.MethodInfo { IsGenericMethod: true } generic ? generic.GetGenericMethodDefinition() : method;
        return type?.GetMembers(method.Name).OfType<IMethodSymbol>()
            .FirstOrDefault(m => m.Parameters.Length == method.GetParameters().Length && RuntimeMembers.Method(m) == target);
    }

    /// <summary>The semantic model of <paramref name="tree"/>.</summary>
    public SemanticModel Model(SyntaxTree tree) => models.GetOrAdd(tree, t => Compilation.GetSemanticModel(t));

    /// <summary>
    /// The body of <paramref name="method"/> (a method or a property getter) as an operation tree, or null when it
    /// has no body in source (an auto-property, an abstract or extern member).
    /// </summary>
    public IOperation? Body(IMethodSymbol method) => bodies.GetOrAdd(method, FindBody);

    private IOperation? FindBody(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            SyntaxNode? body = syntax switch
            {
                BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody,
                AccessorDeclarationSyntax a => (SyntaxNode?)a.Body ?? a.ExpressionBody,
                ArrowExpressionClauseSyntax arrow => arrow,
                _ => null,
            };
            if (body is null) continue;
            var model = Model(body.SyntaxTree);
            // Only the lowered bodies must compile: other captured code may lean on generated parts the capture lacks.
            var errors = model.GetDiagnostics(body.Span).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0) throw ScriptErrors.SourceDoesNotCompile(Root, errors);
            var operation = model.GetOperation(body.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax ? body.Parent : body);
            return operation is IMethodBodyBaseOperation b ? (IOperation?)b.BlockBody ?? b.ExpressionBody : operation;
        }
        return null;
    }

    private static ScriptProgram Build(Type type)
    {
        var sources = ScriptSources.For(type);
        if (sources.Count == 0) throw ScriptErrors.NoSource(type);
        // The model's own assembly too: types the source also declares only give warning CS0436 (the source wins).
        return new ScriptProgram(type, ScriptCompilation.Create("Kiln.Script." + type.Name, sources.Select(s => (s.Text, s.Path)), type.Assembly));
    }
}
