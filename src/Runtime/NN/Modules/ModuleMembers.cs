using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;

namespace Kiln.NN;

/// <summary>What kind of state a module member holds.</summary>
internal enum MemberKind { Parameter, Buffer, Module }

/// <summary>
/// A module's parameters, buffers and submodules found in its fields (declaration order, base class first),
/// so user modules need no registration calls. Found once per type.
/// </summary>
internal static class ModuleMembers
{
    /// <summary>
    /// The members of module classes that reflection reads: fields and auto-property attributes here, public
    /// <c>Forward</c> methods in tracing. <see cref="Module"/> carries them as <see cref="DynamicallyAccessedMembersAttribute"/>,
    /// which trimming and NativeAOT apply to every class derived from it.
    /// </summary>
    internal const DynamicallyAccessedMemberTypes Reflected =
        DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields |
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.NonPublicProperties |
        DynamicallyAccessedMemberTypes.PublicMethods;

    // The walks below go up a module class's base classes, which the analysis cannot follow; every class on the way
    // derives from Module, so its Reflected members are kept.
    private const string KeptByModule = "Only classes derived from Module are reflected on, and Module's DynamicallyAccessedMembers keeps their fields and properties.";

    private static readonly ConcurrentDictionary<Type, FieldSlot[]> Cache = new();

    /// <summary>The fields of <paramref name="type"/> that hold module state.</summary>
    internal static FieldSlot[] For(Type type) => Cache.GetOrAdd(type, Discover);

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = KeptByModule)]
    private static FieldSlot[] Discover(Type type)
    {
        var chain = new Stack<Type>();
        for (var t = type; t is not null && t != typeof(Module); t = t.BaseType) chain.Push(t);
        var slots = new List<FieldSlot>();
        foreach (var t in chain)
        {
            var fields = t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
            // Declaration order: the JIT runtime does not promise it from GetFields, so sort by metadata token;
            // NativeAOT has no tokens and lists fields in declaration order.
            if (fields.All(f => f.HasMetadataToken())) fields = [.. fields.OrderBy(f => f.MetadataToken)];
            foreach (var field in fields)
            {
                var kind = KindOf(field);
                if (kind is { } k) slots.Add(new FieldSlot(field, StateName(field.Name), k, IsPersistent(field)));
            }
        }
        return [.. slots];
    }

    private static MemberKind? KindOf(FieldInfo field)
    {
        if (typeof(Parameter).IsAssignableFrom(field.FieldType)) return MemberKind.Parameter;
        if (typeof(Module).IsAssignableFrom(field.FieldType)) return MemberKind.Module;
        if (typeof(Tensor).IsAssignableFrom(field.FieldType) && BufferOf(field) is not null) return MemberKind.Buffer;
        return null;
    }

    private static BufferAttribute? BufferOf(FieldInfo field) =>
        field.GetCustomAttribute<BufferAttribute>() ?? BackingProperty(field)?.GetCustomAttribute<BufferAttribute>();

    private static bool IsPersistent(FieldInfo field) => BufferOf(field)?.Persistent ?? true;

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = KeptByModule)]
    private static PropertyInfo? BackingProperty(FieldInfo field)
    {
        var name = PropertyName(field.Name);
        return name is null ? null : field.DeclaringType!.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
    }

    private static string? PropertyName(string fieldName) =>
        fieldName.StartsWith('<') && fieldName.IndexOf(">k__BackingField", StringComparison.Ordinal) is > 0 and var end ? fieldName[1..end] : null;

    /// <summary>
    /// The state-dict name of a field: the property name for auto-properties, without a leading underscore,
    /// in PyTorch's snake_case (<c>RunningMean</c> → <c>running_mean</c>, <c>conv1</c> stays <c>conv1</c>).
    /// </summary>
    internal static string StateName(string fieldName)
    {
        var name = (PropertyName(fieldName) ?? fieldName).TrimStart('_');
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}

/// <summary>One field of a module that holds a parameter, a buffer or a submodule.</summary>
internal sealed record FieldSlot(FieldInfo Field, string Name, MemberKind Kind, bool Persistent);
