using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// The rules on a [Script] class itself: it is a module, it has one <c>Forward</c>, and that method's parameters
/// and result are types a graph can carry.
/// </summary>
internal static class ScriptClassRules
{
    /// <summary>
    /// Checks <paramref name="type"/> and returns its <c>Forward</c>, or null when it is not a module or has no single
    /// <c>Forward</c> (there is nothing to walk then).
    /// </summary>
    public static IMethodSymbol? Check(ScriptSymbols symbols, INamedTypeSymbol type, List<Diagnostic> diagnostics)
    {
        var location = NameLocation(type);
        if (!symbols.IsModule(type))
        {
            diagnostics.Add(ScriptDiagnostics.Create(ScriptDiagnosticIds.NotAModule, location, type.Name));
            return null;
        }
        var forwards = PublicForwards(type);
        if (forwards.Count != 1)
        {
            diagnostics.Add(ScriptDiagnostics.Create(ScriptDiagnosticIds.NoSingleForward, location, type.Name, forwards.Count));
            return null;
        }
        var forward = forwards[0];
        CheckSignature(symbols, forward, diagnostics);
        return forward;
    }

    /// <summary>
    /// The public, non-generic, non-abstract instance <c>Forward</c> methods <paramref name="type"/> exposes, the most
    /// derived of each signature (an override or a <c>new</c> method hides the base's).
    /// </summary>
    public static List<IMethodSymbol> PublicForwards(INamedTypeSymbol type)
    {
        var found = new List<IMethodSymbol>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var method in t.GetMembers("Forward").OfType<IMethodSymbol>())
            {
                if (method.DeclaredAccessibility != Accessibility.Public || method.IsStatic || method.IsGenericMethod) continue;
                if (found.Any(f => SameParameters(f, method))) continue;
                if (!method.IsAbstract) found.Add(method);
            }
        }
        return found;
    }

    private static void CheckSignature(ScriptSymbols symbols, IMethodSymbol forward, List<Diagnostic> diagnostics)
    {
        if (!symbols.HasSource(forward)) return;
        var syntax = forward.DeclaringSyntaxReferences[0].GetSyntax() as MethodDeclarationSyntax;
        foreach (var parameter in forward.Parameters)
        {
            var at = parameter.Locations.FirstOrDefault() ?? Location.None;
            if (parameter.RefKind != RefKind.None)
            {
                string kind = parameter.RefKind.ToString().ToLowerInvariant();
                diagnostics.Add(ScriptDiagnostics.Create(ScriptDiagnosticIds.RefOrOut, at, $"the {kind} parameter '{parameter.Name}'"));
            }
            else if (!CanCarry(symbols, parameter.Type))
            {
                diagnostics.Add(ScriptDiagnostics.Create(ScriptDiagnosticIds.UnsupportedForwardType, at,
                    $"parameter '{parameter.Name}'", parameter.Type.ToDisplayString()));
            }
        }
        if (forward.ReturnsVoid || forward.ReturnsByRef || forward.ReturnsByRefReadonly || !CanCarry(symbols, forward.ReturnType))
        {
            var at = syntax?.ReturnType.GetLocation() ?? forward.Locations.FirstOrDefault() ?? Location.None;
            diagnostics.Add(ScriptDiagnostics.Create(ScriptDiagnosticIds.UnsupportedForwardType, at, "return value", forward.ReturnType.ToDisplayString()));
        }
    }

    /// <summary>Whether a graph value can have type <paramref name="type"/>: tensors, C# numbers and bools, and arrays, lists, tuples and nullables of those.</summary>
    private static bool CanCarry(ScriptSymbols symbols, ITypeSymbol type)
    {
        if (symbols.IsTensor(type) || ScriptSymbols.IsPrimitive(type)) return true;
        if (type is IArrayTypeSymbol array) return array.Rank == 1 && CanCarry(symbols, array.ElementType);
        if (type is not INamedTypeSymbol named) return false;
        if (named.IsTupleType) return named.TupleElements.All(e => CanCarry(symbols, e.Type));
        string name = named.OriginalDefinition.ToDisplayString();
        bool container = name is "System.Nullable<T>" or "System.Collections.Generic.List<T>"
            or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.IReadOnlyList<T>";
        return container && CanCarry(symbols, named.TypeArguments[0]);
    }

    /// <summary>Where a diagnostic about the class as a whole goes: its name in its first declaration.</summary>
    public static Location NameLocation(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<BaseTypeDeclarationSyntax>()
            .Select(d => d.Identifier.GetLocation()).FirstOrDefault()
        ?? type.Locations.FirstOrDefault() ?? Location.None;

    private static bool SameParameters(IMethodSymbol a, IMethodSymbol b) =>
        a.Parameters.Length == b.Parameters.Length
        && a.Parameters.Zip(b.Parameters, (x, y) => SymbolEqualityComparer.Default.Equals(x.Type, y.Type)).All(same => same);
}
