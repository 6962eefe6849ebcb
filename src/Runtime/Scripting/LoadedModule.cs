using Kiln.NN;
using Kiln.Serialization;

namespace Kiln.Scripting;

/// <summary>
/// One level of the module tree a loaded <see cref="ScriptModule"/> holds its tensors in: the parameters, buffers
/// and submodules named by the dotted state-dict names of a <c>.kiln</c> file (a member name has no dot, hence a tree),
/// so <see cref="Module.Parameters"/>, <see cref="Module.StateDict"/> and optimisers work as on the saved module. It
/// has no Forward: the stored graphs are the forward pass.
/// </summary>
internal sealed class LoadedModule : Module
{
    /// <summary>What a file says of the module tree besides its tensors.</summary>
    /// <param name="Modules">Dotted names, each after its parent, the root "" first, with each one's training flag.</param>
    /// <param name="NonPersistent">Buffers that stay out of the state dict.</param>
    /// <param name="Frozen">Parameters that do not require grad.</param>
    /// <param name="Aliases">Members holding the module, parameter or buffer stored under another name (tied weights, shared modules).</param>
    public sealed record Layout(IReadOnlyList<(string Name, bool Training)> Modules, IReadOnlySet<string> NonPersistent,
        IReadOnlySet<string> Frozen, IReadOnlyList<(string Alias, string Target)> Aliases);

    /// <summary>The root of the tree <paramref name="layout"/> describes, holding the parameters and buffers of <paramref name="tensors"/>.</summary>
    /// <exception cref="KilnFormatException">A name is malformed, repeated, or under a module that is not listed; an alias names nothing stored.</exception>
    public static LoadedModule Build(Layout layout, OrderedDictionary<string, KilnTensor> tensors)
    {
        var (modules, nonPersistent) = (layout.Modules, layout.NonPersistent);
        if (modules.Count == 0 || modules[0].Name.Length != 0)
            throw KilnFormatException.Field("metadata.modules", "the first module must be the root (named \"\")");
        var byName = new Dictionary<string, LoadedModule>(StringComparer.Ordinal) { [""] = new LoadedModule() };
        foreach (var (name, _) in modules.Skip(1))
        {
            var (owner, member) = Owner(byName, name, "metadata.modules");
            if (byName.ContainsKey(name)) throw KilnFormatException.Field("metadata.modules", $"'{name}' is listed twice");
            byName[name] = new LoadedModule();
            owner.Add(member, () => owner.RegisterModule(member, byName[name]));
        }
        // Parameters first, then buffers: the order the state dict lists each module's tensors in.
        foreach (var kind in new[] { KilnTensorKind.Parameter, KilnTensorKind.Buffer })
        {
            foreach (var (name, stored) in tensors.Where(t => t.Value.Kind == kind))
            {
                var (owner, member) = Owner(byName, name, $"tensors['{name}'].name");
                bool trainable = stored.Tensor.DType.IsFloatingPoint() && !layout.Frozen.Contains(name);
                if (kind == KilnTensorKind.Parameter) owner.Add(member, () => owner.RegisterParameter(member, new Parameter(stored.Tensor, trainable)));
                else owner.Add(member, () => owner.RegisterBuffer(member, stored.Tensor, !nonPersistent.Contains(name)));
            }
        }
        var state = NamedState(byName[""]);
        foreach (var (alias, target) in layout.Aliases)
        {
            var (owner, member) = Owner(byName, alias, "metadata.aliases");
            if (byName.TryGetValue(target, out var module)) owner.Add(member, () => owner.RegisterModule(member, module));
            else if (state.GetValueOrDefault(target) is Parameter p) owner.Add(member, () => owner.RegisterParameter(member, p));
            else if (state.GetValueOrDefault(target) is { } buffer) owner.Add(member, () => owner.RegisterBuffer(member, buffer, !nonPersistent.Contains(alias)));
            else throw KilnFormatException.Field("metadata.aliases", $"'{alias}' aliases '{target}', which is no stored module, parameter or buffer");
        }
        // Parents come before their children, so each child's own flag overrides what its parent's Train set.
        foreach (var (name, training) in modules) byName[name].Train(training);
        return byName[""];
    }

    /// <summary>Every parameter and buffer of <paramref name="root"/>'s tree by the name it is stored under.</summary>
    public static Dictionary<string, Tensor> NamedState(Module root) =>
        root.NamedParameters().Select(p => (p.Name, Tensor: (Tensor)p.Parameter)).Concat(root.NamedBuffers())
            .ToDictionary(s => s.Name, s => s.Item2, StringComparer.Ordinal);

    /// <summary>The module that owns dotted <paramref name="name"/>, and the member name it has there.</summary>
    private static (LoadedModule Owner, string Member) Owner(Dictionary<string, LoadedModule> byName, string name, string field)
    {
        int dot = name.LastIndexOf('.');
        string parent = dot < 0 ? "" : name[..dot];
        string member = name[(dot + 1)..];
        if (member.Length == 0 || !byName.TryGetValue(parent, out var owner))
            throw KilnFormatException.Field(field, $"'{name}' is not a member name under a listed module ('{parent}')");
        return (owner, member);
    }

    /// <summary>Runs a registration, turning its refusal (a name taken twice) into a format error.</summary>
    private void Add(string member, Action register)
    {
        try
        {
            register();
        }
        catch (ArgumentException e)
        {
            throw KilnFormatException.Field($"member '{member}'", e.Message);
        }
    }
}
