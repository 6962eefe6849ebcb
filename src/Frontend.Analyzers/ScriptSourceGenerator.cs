using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// Captures, at build time, the C# source <c>Jit.Script</c> needs: for each <c>[Kiln.Script]</c> class, a generated
/// file whose module initializer registers the class's own source files and those of the user types it uses with
/// <c>Kiln.Scripting.ScriptSources</c>, so scripting works in a published app without its .cs files.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ScriptSourceGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var registrations = context.SyntaxProvider.ForAttributeWithMetadataName(
            ScriptSymbols.ScriptAttributeName,
            static (node, _) => node is ClassDeclarationSyntax,
            static (attributed, cancellation) => ScriptRegistration.For(
                attributed.SemanticModel.Compilation, (INamedTypeSymbol)attributed.TargetSymbol, cancellation));
        context.RegisterSourceOutput(registrations, static (output, registration) =>
        {
            if (registration is not null) output.AddSource(registration.HintName, registration.Render());
        });
    }
}
