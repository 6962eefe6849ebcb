using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Analyzers;

/// <summary>What <see cref="ScriptSubsetChecker.Check"/> found for one [Script] class.</summary>
public sealed class ScriptCheckResult
{
    internal ScriptCheckResult(IMethodSymbol? forward, ImmutableArray<Diagnostic> diagnostics, ImmutableArray<INamedTypeSymbol> usedTypes)
    {
        Forward = forward;
        Diagnostics = diagnostics;
        UsedTypes = usedTypes;
    }

    /// <summary>The class's <c>Forward</c> method, or null when it is not a module or has no single <c>Forward</c>.</summary>
    public IMethodSymbol? Forward { get; }

    /// <summary>Every problem found (KILN00xx), ordered by file, position and ID; empty when the class can be scripted.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>
    /// The types with source in the compilation that scripting the class needs (the class itself first, then its base
    /// types, the types of its fields, and the types whose members the walked code uses), as generic definitions.
    /// </summary>
    public ImmutableArray<INamedTypeSymbol> UsedTypes { get; }

    /// <summary>Whether the class is inside the scriptable subset.</summary>
    public bool IsValid => Diagnostics.IsEmpty;
}
