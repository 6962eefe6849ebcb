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
    /// <summary>
    /// The root of the tree of <paramref name="modules"/> (dotted names, each after its parent, the root "" first, with
    /// its own training flag) holding the parameters and buffers of <paramref name="tensors"/>; buffers named in
    /// <paramref name="nonPersistent"/> stay out of the state dict.
    /// </summary>
    /// <exception cref="KilnFormatException">A name is malformed, repeated, or under a module that is not listed.</exception>
    public static LoadedModule Build(IReadOnlyList<(string Name, bool Training)> modules,
        OrderedDictionary<string, KilnTensor> tensors, IReadOnlySet<string> nonPersistent)
    {
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
                if (kind == KilnTensorKind.Parameter) owner.Add(member, () => owner.RegisterParameter(member, new Parameter(stored.Tensor, stored.Tensor.DType.IsFloatingPoint())));
                else owner.Add(member, () => owner.RegisterBuffer(member, stored.Tensor, !nonPersistent.Contains(name)));
            }
        }
        // Parents come before their children, so each child's own flag overrides what its parent's Train set.
        foreach (var (name, training) in modules) byName[name].Train(training);
        return byName[""];
    }

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
