using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// The members of a module tree that hold an object already held under another name: tied weights (one
/// <see cref="Parameter"/> in two layers), a shared buffer, or a submodule reached by two paths. A <c>.kiln</c> file
/// stores each object once, under the name <see cref="Module.NamedParameters"/>, <see cref="Module.NamedBuffers"/> and
/// <see cref="Module.NamedModules"/> give it, and lists the other names so loading ties them again.
/// </summary>
internal static class ModuleAliases
{
    /// <summary>Each second (third, ...) name of an object in <paramref name="root"/>'s tree, with the name it is stored under.</summary>
    public static IEnumerable<(string Alias, string Target)> Of(Module root)
    {
        var first = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in root.NamedModules()) first[module] = name;
        foreach (var (name, p) in root.NamedParameters()) first[p] = name;
        foreach (var (name, b) in root.NamedBuffers()) first.TryAdd(b, name);
        // Only modules at their first name are walked: the members of a module's other names are its own members.
        foreach (var (moduleName, module) in root.NamedModules())
        {
            foreach (var member in module.Members())
            {
                string name = Module.Join(moduleName, member.Name);
                if (member.Value is { } value && first.TryGetValue(value, out var target) && target != name) yield return (name, target);
            }
        }
    }
}
