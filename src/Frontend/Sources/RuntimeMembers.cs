using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Sources;

/// <summary>
/// Maps Roslyn symbols of the captured source to the running app's reflection members (types, methods, fields,
/// properties), so the frontend can read the live module's fields and call library code at script time.
/// Source types map to the types of the same name in the loaded assemblies (the model's own assembly).
/// </summary>
internal static class RuntimeMembers
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly ConcurrentDictionary<ISymbol, MemberInfo> Members = new(SymbolEqualityComparer.Default);

    /// <summary>The CLR metadata name of <paramref name="type"/> (<c>Ns.Outer+Inner`1</c>), what Roslyn looks types up by.</summary>
    public static string MetadataName(Type type) =>
        (type.IsGenericType ? type.GetGenericTypeDefinition() : type).FullName ?? type.Name;

    /// <summary>The runtime type of <paramref name="symbol"/>.</summary>
    /// <exception cref="InvalidOperationException">The type is not loaded in the running app.</exception>
    public static Type Type(ITypeSymbol symbol) => symbol switch
    {
        IArrayTypeSymbol a => a.Rank == 1 ? Type(a.ElementType).MakeArrayType() : Type(a.ElementType).MakeArrayType(a.Rank),
        INamedTypeSymbol { IsGenericType: true, IsUnboundGenericType: false } n when !SymbolEqualityComparer.Default.Equals(n, n.OriginalDefinition) =>
            Type(n.OriginalDefinition).MakeGenericType([.. n.TypeArguments.Select(Type)]),
        INamedTypeSymbol n => Named(n),
        _ => throw new InvalidOperationException($"type '{symbol}' has no runtime type the frontend can use"),
    };

    /// <summary>The runtime method (or constructor, or accessor) of <paramref name="method"/>.</summary>
    /// <exception cref="InvalidOperationException">No such method is loaded.</exception>
    public static MethodBase Method(IMethodSymbol method) => (MethodBase)Members.GetOrAdd(method, _ => FindMethod(method));

    /// <summary>The runtime field of <paramref name="field"/>.</summary>
    /// <exception cref="InvalidOperationException">No such field is loaded.</exception>
    public static FieldInfo Field(IFieldSymbol field) => (FieldInfo)Members.GetOrAdd(field, _ =>
        Type(field.ContainingType).GetField(field.MetadataName, All)
            ?? throw new InvalidOperationException($"field '{field}' is not in the running app's type {field.ContainingType}"));

    /// <summary>
    /// The method that runs when <paramref name="method"/> (possibly virtual or an interface method) is called on an
    /// object of type <paramref name="receiverType"/>: the most derived override.
    /// </summary>
    public static MethodInfo Override(MethodInfo method, Type receiverType)
    {
        if (!method.IsVirtual || method.DeclaringType == receiverType) return method;
        if (method.DeclaringType!.IsInterface)
        {
            var map = receiverType.GetInterfaceMap(method.DeclaringType);
            return map.TargetMethods[Array.IndexOf(map.InterfaceMethods, method)];
        }
        var root = method.GetBaseDefinition();
        for (var t = receiverType; t is not null && t != method.DeclaringType; t = t.BaseType)
        {
            var found = t.GetMethods(All).FirstOrDefault(m => m.Name == method.Name && m.GetBaseDefinition() == root);
            if (found is not null) return found;
        }
        return method;
    }

    private static Type Named(INamedTypeSymbol symbol)
    {
        var name = symbol.ContainingType is { } outer ? Named(outer).FullName + "+" + symbol.MetadataName : FullName(symbol);
        var assemblyName = symbol.ContainingAssembly?.Name;
        var candidates = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic)
            .OrderBy(a => a.GetName().Name == assemblyName ? 0 : 1);
        foreach (var assembly in candidates)
        {
            if (assembly.GetType(name) is { } type) return type;
        }
        throw new InvalidOperationException($"type '{symbol}' is not loaded in the running app");
    }

    private static string FullName(INamedTypeSymbol symbol) =>
        symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + symbol.MetadataName : symbol.MetadataName;

    private static MethodBase FindMethod(IMethodSymbol method)
    {
        var type = Type(method.ContainingType);
        var parameters = method.Parameters.Select(p => p.RefKind == RefKind.None ? Type(p.Type) : Type(p.Type).MakeByRefType()).ToArray();
        if (method.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor)
        {
            return type.GetConstructor(All, parameters)
                ?? throw new InvalidOperationException($"constructor '{method}' is not in the running app's type {type}");
        }
        if (!method.IsGenericMethod)
        {
            return type.GetMethod(method.MetadataName, All, parameters)
                ?? throw new InvalidOperationException($"method '{method}' is not in the running app's type {type}");
        }
        var arguments = method.TypeArguments.Select(Type).ToArray();
        foreach (var candidate in type.GetMethods(All))
        {
            if (candidate.Name != method.MetadataName || !candidate.IsGenericMethodDefinition
                || candidate.GetGenericArguments().Length != arguments.Length) continue;
            var constructed = candidate.MakeGenericMethod(arguments);
            if (constructed.GetParameters().Select(p => p.ParameterType).SequenceEqual(parameters)) return constructed;
        }
        throw new InvalidOperationException($"generic method '{method}' is not in the running app's type {type}");
    }
}
