using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Analyzers;

/// <summary>Where a member a scripted method uses comes from, which decides whether scripting can follow it.</summary>
internal enum MemberOrigin
{
    /// <summary>Source in the compilation being checked: the checker walks it too.</summary>
    Source,

    /// <summary>Kiln (tensors, Functional, layers, modules) or a BCL basic (Math, primitives, lists, arrays, tuples).</summary>
    Library,

    /// <summary><c>System.Linq</c>: reported as LINQ.</summary>
    Linq,

    /// <summary>Anything else: a library the frontend cannot see into.</summary>
    External,
}

/// <summary>The Kiln symbols of one compilation and the rules that sort members into <see cref="MemberOrigin"/>s.</summary>
internal sealed class ScriptSymbols
{
    /// <summary>The metadata name of the [Script] attribute.</summary>
    public const string ScriptAttributeName = "Kiln.ScriptAttribute";

    private const string ModuleName = "Kiln.NN.Module";
    private const string TensorName = "Kiln.Tensor";

    // The assemblies of the tensor library: its calls are captured by call-site tracing, not walked.
    private static readonly HashSet<string> KilnAssemblies = new() { "Kiln", "Kiln.IR" };

    // BCL types whose members a graph can express (by their metadata names, generic arity included).
    private static readonly HashSet<string> BclTypes = new()
    {
        "System.Math", "System.MathF", "System.Nullable`1", "System.ValueTuple", "System.Index", "System.Range", "System.Array",
        "System.Collections.Generic.List`1", "System.Collections.Generic.IList`1",
        "System.Collections.Generic.IReadOnlyList`1", "System.Collections.Generic.ICollection`1",
        "System.Collections.Generic.IReadOnlyCollection`1", "System.Collections.Generic.IEnumerable`1",
    };

    // Methods that change a list in place: called on a field's list, they change module state.
    private static readonly HashSet<string> ListMutators = new()
    {
        "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "Clear", "Reverse", "Sort",
    };

    public ScriptSymbols(Compilation compilation)
    {
        Compilation = compilation;
        Module = compilation.GetTypeByMetadataName(ModuleName);
        Tensor = compilation.GetTypeByMetadataName(TensorName);
    }

    public Compilation Compilation { get; }

    /// <summary><c>Kiln.NN.Module</c>, or null when Kiln is not referenced.</summary>
    public INamedTypeSymbol? Module { get; }

    /// <summary><c>Kiln.Tensor</c>, or null when Kiln is not referenced.</summary>
    public INamedTypeSymbol? Tensor { get; }

    /// <summary>Whether <paramref name="type"/> is <c>Kiln.NN.Module</c> or derives from it.</summary>
    public bool IsModule(ITypeSymbol? type) => Module is not null && DerivesFrom(type, Module);

    /// <summary>Whether <paramref name="type"/> is <c>Kiln.Tensor</c> or derives from it (<c>Parameter</c>).</summary>
    public bool IsTensor(ITypeSymbol? type) => Tensor is not null && DerivesFrom(type, Tensor);

    /// <summary>Whether <paramref name="symbol"/> is declared in the source of the compilation being checked.</summary>
    public bool HasSource(ISymbol symbol) =>
        SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, Compilation.Assembly)
        && symbol.OriginalDefinition.DeclaringSyntaxReferences.Length > 0;

    /// <summary>Where <paramref name="member"/> (a method, property, field or event) comes from.</summary>
    public MemberOrigin OriginOf(ISymbol member)
    {
        if (HasSource(member)) return MemberOrigin.Source;
        var type = member.ContainingType;
        if (type is null) return MemberOrigin.External;
        if (KilnAssemblies.Contains(member.ContainingAssembly?.Name ?? "")) return MemberOrigin.Library;
        string ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        if (ns == "System.Linq") return MemberOrigin.Linq;
        return IsBclBasic(type) ? MemberOrigin.Library : MemberOrigin.External;
    }

    /// <summary>Whether calling <paramref name="method"/> changes its receiver: a Kiln in-place op (<c>Add_</c>) or a list mutator.</summary>
    public bool MutatesReceiver(IMethodSymbol method)
    {
        if (IsTensor(method.ContainingType)) return method.Name.EndsWith("_", System.StringComparison.Ordinal);
        return IsListType(method.ContainingType) && ListMutators.Contains(method.Name);
    }

    private static bool IsListType(INamedTypeSymbol? type) =>
        type is not null && MetadataName(type.OriginalDefinition) is "System.Collections.Generic.List`1"
            or "System.Collections.Generic.IList`1" or "System.Collections.Generic.ICollection`1";

    private static bool IsBclBasic(INamedTypeSymbol type)
    {
        if (type.IsTupleType || IsPrimitive(type)) return true;
        return BclTypes.Contains(MetadataName(type.OriginalDefinition));
    }

    /// <summary>Whether <paramref name="type"/> is a C# number or <c>bool</c>.</summary>
    public static bool IsPrimitive(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Boolean or SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16
            or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64
            or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double => true,
        _ => false,
    };

    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName : type.MetadataName;

    private static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol baseType)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType)) return true;
        }
        return false;
    }
}
