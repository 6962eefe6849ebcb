using Kiln.Graphs;
using Kiln.IR;
using Kiln.NN;
using Kiln.Serialization;

namespace Kiln.Scripting;

/// <summary>
/// Maps a <see cref="ScriptModule"/> to the contents of a <c>.kiln</c> file and back (docs/kiln-format.md, "Script
/// modules"): every graph it has made, renamed <c>Name_i</c> in the order made (the entry is the latest), its
/// parameters and buffers by state-dict name, each graph's tensor constants as <c>graph/const</c>, and metadata with
/// the module tree, each module's training flag, the non-persistent buffers and each graph's modes and state outputs.
/// </summary>
internal static class ScriptModuleFile
{
    /// <summary>Lines of <c>flag TAB name</c>: every module (dotted names, the root "" first, parents before children) with its training flag (1 or 0).</summary>
    internal const string ModulesKey = "kiln.script.modules";

    /// <summary>The names of the buffers left out of the state dict, one per line.</summary>
    internal const string NonPersistentKey = "kiln.script.nonPersistentBuffers";

    /// <summary>
    /// Lines of <c>alias TAB name</c>: members holding a module, parameter or buffer stored under another name
    /// (<see cref="ModuleAliases"/>). Absent in files that have none to list.
    /// </summary>
    internal const string AliasesKey = "kiln.script.aliases";

    /// <summary>The names of the parameters that do not require grad (frozen), one per line. Absent when there are none.</summary>
    internal const string FrozenKey = "kiln.script.frozenParameters";

    /// <summary>The mode key a graph was made for: one training flag per module, in <see cref="ModulesKey"/> order.</summary>
    internal static string ModesKey(string graph) => $"kiln.script.graphs['{graph}'].modes";

    /// <summary>The state-dict names of the tensors the graph's last outputs update, one per line.</summary>
    internal static string StateOutputsKey(string graph) => $"kiln.script.graphs['{graph}'].stateOutputs";

    /// <summary>The name a graph's tensor constant is stored under.</summary>
    internal static string ConstantName(Graph graph, string constant) => $"{graph.Name}/{constant}";

    /// <summary>What a <c>.kiln</c> file of <paramref name="module"/> holds.</summary>
    /// <exception cref="InvalidOperationException">The module has made no graph yet.</exception>
    public static KilnFileContents ToContents(ScriptModule module)
    {
        var lowered = module.Snapshot();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModulesKey] = Lines(module.NamedModules().Select(m => (m.Module.Training ? "1\t" : "0\t") + m.Name)),
            [NonPersistentKey] = Lines(module.NamedModules().SelectMany(m => m.Module.Members()
                .Where(b => b.Kind == MemberKind.Buffer && !b.Persistent && b.Value is not null)
                .Select(b => Module.Join(m.Name, b.Name)))),
        };
        var aliases = ModuleAliases.Of(module).Select(a => $"{a.Alias}\t{a.Target}").ToList();
        if (aliases.Count > 0) metadata[AliasesKey] = Lines(aliases);
        var frozen = module.NamedParameters().Where(p => !p.Parameter.RequiresGrad).Select(p => p.Name).ToList();
        if (frozen.Count > 0) metadata[FrozenKey] = Lines(frozen);
        var tensors = new OrderedDictionary<string, KilnTensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.NamedParameters()) tensors.Add(name, new KilnTensor(p, KilnTensorKind.Parameter));
        foreach (var (name, b) in module.NamedBuffers()) tensors.Add(name, new KilnTensor(b, KilnTensorKind.Buffer));
        var graphs = new List<Graph>(lowered.Count);
        for (int i = 0; i < lowered.Count; i++)
        {
            // The fused kernels an optimised graph calls go before it.
            var copies = SavedGraphCopies.Of(lowered[i].Graph, $"{lowered[i].Graph.Name}_{i}");
            graphs.AddRange(copies);
            var graph = copies[^1];
            metadata[ModesKey(graph.Name)] = lowered[i].Modes;
            metadata[StateOutputsKey(graph.Name)] = Lines(lowered[i].Updates.Select(u => u.Name));
            foreach (var constant in TensorConstants(graph))
            {
                if (constant.Data is Tensor data) tensors.Add(ConstantName(graph, constant.Name), new KilnTensor(data, KilnTensorKind.Constant));
            }
        }
        return new KilnFileContents(new GraphModule(graphs), graphs[^1].Name, tensors, metadata, KilnProducer.Current);
    }

    /// <summary>A <see cref="ScriptModule"/> running the graphs of <paramref name="contents"/> on a module tree holding its tensors.</summary>
    /// <exception cref="KilnFormatException">The contents are not those of a saved script module, or do not fit together.</exception>
    public static ScriptModule FromContents(KilnFileContents contents)
    {
        var modules = Required(contents, ModulesKey).Select(ParseModule).ToList();
        var nonPersistent = Required(contents, NonPersistentKey).ToHashSet(StringComparer.Ordinal);
        var layout = new LoadedModule.Layout(modules, nonPersistent,
            Optional(contents, FrozenKey).ToHashSet(StringComparer.Ordinal), [.. Optional(contents, AliasesKey).Select(ParseAlias)]);
        var root = LoadedModule.Build(layout, contents.Tensors);
        var state = LoadedModule.NamedState(root);
        // The entry graph is the latest made, so it goes last; graphs other graphs call (fused kernels) run in their callers.
        var called = contents.Graphs.Graphs.SelectMany(g => g.AllNodes()).Select(n => n.Callee).OfType<Graph>().ToHashSet();
        var stored = contents.Graphs.Graphs.Where(g => !called.Contains(g)).OrderBy(g => g.Name == contents.EntryGraph)
            .Select(g => Stored(contents, g, modules.Count, state)).ToList();
        return new ScriptModule(root, new StoredGraphLowering(stored), stored);
    }

    /// <summary>Graph <paramref name="graph"/> of the file, bound to the loaded state and its stored constants.</summary>
    private static ScriptModule.Lowered Stored(KilnFileContents contents, Graph graph, int moduleCount, Dictionary<string, Tensor> state)
    {
        string modes = contents.Metadata.GetValueOrDefault(ModesKey(graph.Name)) ?? throw Missing(ModesKey(graph.Name));
        if (modes.Length != moduleCount || modes.Any(c => c is not ('0' or '1')))
            throw KilnFormatException.Field($"metadata[{ModesKey(graph.Name)}]", $"'{modes}' is not one flag (0 or 1) for each of the {moduleCount} modules");
        var updates = Required(contents, StateOutputsKey(graph.Name)).ToList();
        int own = graph.Outputs.Count - updates.Count;
        if (own < 0 || updates.Select((name, i) => !Fits(graph.Outputs[own + i], state.GetValueOrDefault(name))).Any(bad => bad))
            throw KilnFormatException.Field($"metadata[{StateOutputsKey(graph.Name)}]",
                $"[{string.Join(", ", updates)}] are not state tensors of the module typed like the last of the graph's {graph.Outputs.Count} outputs");
        var bindings = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in graph.Parameters.Select(p => p.Name ?? ""))
        {
            if (state.TryGetValue(name, out var tensor)) bindings[name] = tensor;
        }
        foreach (var constant in TensorConstants(graph))
        {
            if (contents.Tensors.TryGetValue(ConstantName(graph, constant.Name), out var stored) && stored.Kind == KilnTensorKind.Constant)
                bindings[constant.Name] = stored.Tensor;
        }
        GraphExecutor executor;
        try
        {
            executor = new GraphExecutor(graph, bindings);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new KilnFormatException($"invalid .kiln file: model.graphs['{graph.Name}']: cannot run with the stored tensors: {e.Message}", e);
        }
        return new ScriptModule.Lowered(modes, graph, executor,
            [.. updates.Select((name, i) => new StateUpdate(name, state[name], graph.Outputs[own + i]))], bindings);
    }

    /// <summary>Whether graph output <paramref name="value"/> can be copied into <paramref name="state"/> (which exists).</summary>
    private static bool Fits(Value value, Tensor? state) =>
        state is not null && value.Type is TensorValueType type && type.Admits(new TensorType(state.DType, state.Shape), new Dictionary<string, long>());

    private static (string Name, bool Training) ParseModule(string line) =>
        line.Length >= 2 && line[0] is '0' or '1' && line[1] == '\t' ? (line[2..], line[0] == '1')
            : throw KilnFormatException.Field($"metadata[{ModulesKey}]", $"line '{line}' is not a flag (0 or 1), a tab and a module name");

    private static IEnumerable<TensorConstant> TensorConstants(Graph graph) =>
        graph.AllNodes().Select(n => n.Constant).OfType<TensorConstant>();

    private static (string Alias, string Target) ParseAlias(string line) =>
        line.Split('\t') is [{ Length: > 0 } alias, { Length: > 0 } target] ? (alias, target)
            : throw KilnFormatException.Field($"metadata[{AliasesKey}]", $"line '{line}' is not a member name, a tab and the name it aliases");

    private static string[] Optional(KilnFileContents contents, string key) =>
        contents.Metadata.TryGetValue(key, out var text) && text.Length > 0 ? text.Split('\n') : [];

    private static string[] Required(KilnFileContents contents, string key) =>
        contents.Metadata.TryGetValue(key, out var text) ? (text.Length == 0 ? [] : text.Split('\n')) : throw Missing(key);

    private static KilnFormatException Missing(string key) =>
        KilnFormatException.Field($"metadata[{key}]", "missing: the file does not hold a saved ScriptModule");

    private static string Lines(IEnumerable<string> lines) => string.Join('\n', lines);
}
