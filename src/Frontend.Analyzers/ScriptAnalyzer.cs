using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// Reports, at build time and in the IDE, what <c>Jit.Script</c> would reject in each <c>[Kiln.Script]</c> class:
/// the <see cref="ScriptSubsetChecker"/>'s diagnostics (KILN00xx). A problem in code several [Script] classes
/// share (a user module or helper) is reported once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScriptAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ScriptDiagnostics.Checker;

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        if (context is null) throw new System.ArgumentNullException(nameof(context));
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var scriptAttribute = start.Compilation.GetTypeByMetadataName(ScriptSymbols.ScriptAttributeName);
            if (scriptAttribute is null) return; // Kiln is not referenced
            var reported = new ConcurrentDictionary<string, byte>();
            start.RegisterSymbolAction(symbolContext =>
            {
                var type = (INamedTypeSymbol)symbolContext.Symbol;
                if (!HasAttribute(type, scriptAttribute)) return;
                var result = ScriptSubsetChecker.Check(symbolContext.Compilation, type, symbolContext.CancellationToken);
                foreach (var diagnostic in result.Diagnostics)
                {
                    if (reported.TryAdd(Key(diagnostic), 0)) symbolContext.ReportDiagnostic(diagnostic);
                }
            }, SymbolKind.NamedType);
        });
    }

    private static bool HasAttribute(INamedTypeSymbol type, INamedTypeSymbol attribute)
    {
        foreach (var data in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute)) return true;
        }
        return false;
    }

    private static string Key(Diagnostic diagnostic) =>
        diagnostic.Id + "@" + diagnostic.Location.SourceTree?.FilePath + ":" + diagnostic.Location.SourceSpan.Start + ":" + diagnostic.Location.SourceSpan.Length;
}
