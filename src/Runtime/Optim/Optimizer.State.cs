using System.Text.Json.Nodes;
using Kiln.Serialization;

namespace Kiln.Optim;

// State dicts (torch's optimizer.state_dict() / load_state_dict()) and their safetensors files.
public abstract partial class Optimizer
{
    /// <summary>The metadata key under which <see cref="Save"/> stores the state dict's scalars as JSON.</summary>
    public const string MetadataKey = "kiln.optimizer";

    /// <summary>
    /// A snapshot of the optimiser's state: every parameter's step count and buffers (copied, so later steps do not
    /// change it) and every group's options. Parameters are numbered across the groups in order.
    /// </summary>
    public OptimizerStateDict StateDict()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var states = new JsonObject();
        var paramGroups = new JsonArray();
        int index = 0;
        foreach (var group in groups)
        {
            var entry = new JsonObject();
            foreach (var (name, value) in group.Options) entry[name] = OptionJson.ToJson(value);
            var indices = new JsonArray();
            foreach (var p in group.Params)
            {
                if (state.TryGetValue(p, out var s))
                {
                    states[index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["step"] = s.Step };
                    foreach (var (name, buffer) in s.Buffers) tensors[OptimizerStateDict.TensorPrefix(index) + name] = buffer.Clone();
                }
                // As JsonNode: the generic Add<T> would serialise T by reflection, which trimming and NativeAOT refuse.
                indices.Add((JsonNode)index++);
            }
            entry["params"] = indices;
            paramGroups.Add((JsonNode)entry);
        }
        return new OptimizerStateDict(tensors, new JsonObject { ["state"] = states, ["param_groups"] = paramGroups });
    }

    /// <summary>
    /// Restores a state from <see cref="StateDict"/> (torch's <c>load_state_dict</c>): the groups' options and the
    /// parameters' step counts and buffers (copied, converted to each parameter's state dtype). The optimiser must
    /// have the same number of groups with the same number of parameters as the one that made the state dict.
    /// </summary>
    /// <exception cref="ArgumentException">The group or parameter counts differ, or a state tensor's shape does not match its parameter.</exception>
    public void LoadStateDict(OptimizerStateDict stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var saved = stateDict.Scalars["param_groups"] as JsonArray
            ?? throw new ArgumentException($"{Name}.LoadStateDict: the state dict has no 'param_groups' array");
        if (saved.Count != groups.Count)
            throw new ArgumentException($"{Name}.LoadStateDict: the state dict has {saved.Count} param groups, the optimiser has {groups.Count}");
        var parameters = new List<Tensor>();
        for (int g = 0; g < groups.Count; g++)
        {
            var entry = saved[g] as JsonObject ?? throw new ArgumentException($"{Name}.LoadStateDict: param group {g} is not a JSON object");
            int count = (entry["params"] as JsonArray)?.Count ?? 0;
            if (count != groups[g].Params.Count)
                throw new ArgumentException($"{Name}.LoadStateDict: param group {g} has {count} parameters in the state dict, {groups[g].Params.Count} in the optimiser");
            parameters.AddRange(groups[g].Params);
        }
        var loaded = LoadParameterStates(stateDict, parameters);
        for (int g = 0; g < groups.Count; g++)
            foreach (var (name, value) in (JsonObject)saved[g]!)
                if (name != "params") groups[g][name] = OptionJson.FromJson(name, value);
        for (int g = 0; g < groups.Count; g++) OptionChecks.Validate(Name, groups[g], g);
        state.Clear();
        foreach (var (p, s) in loaded) state[p] = s;
    }

    /// <summary>Saves <see cref="StateDict"/> as a safetensors file: the buffers as tensors, the scalars as JSON metadata under <see cref="MetadataKey"/>.</summary>
    public void Save(string path)
    {
        var dict = StateDict();
        Safetensors.Save(path, dict.Tensors, new Dictionary<string, string> { [MetadataKey] = dict.Scalars.ToJsonString() });
    }

    /// <summary>Loads a state saved by <see cref="Save"/> (see <see cref="LoadStateDict"/>).</summary>
    /// <exception cref="ArgumentException">The file has no optimiser metadata, or does not match this optimiser's groups.</exception>
    public void Load(string path)
    {
        var contents = Safetensors.LoadWithMetadata(path);
        if (contents.Metadata is null || !contents.Metadata.TryGetValue(MetadataKey, out var json))
            throw new ArgumentException($"{Name}.Load: '{path}' has no '{MetadataKey}' metadata; it was not written by Optimizer.Save");
        var scalars = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException($"{Name}.Load: '{path}' has malformed '{MetadataKey}' metadata");
        LoadStateDict(new OptimizerStateDict(contents.Tensors, scalars));
    }

    private List<(Tensor Param, ParameterState State)> LoadParameterStates(OptimizerStateDict stateDict, List<Tensor> parameters)
    {
        var result = new List<(Tensor, ParameterState)>();
        if (stateDict.Scalars["state"] is not JsonObject states) return result;
        foreach (var (key, node) in states)
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) || index >= parameters.Count)
                throw new ArgumentException($"{Name}.LoadStateDict: state entry '{key}' does not name one of the {parameters.Count} parameters");
            var p = parameters[index];
            var s = new ParameterState { Step = node?["step"]?.GetValue<long>() ?? 0 };
            string prefix = OptimizerStateDict.TensorPrefix(index);
            foreach (var (name, tensor) in stateDict.Tensors)
            {
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                if (!tensor.shape.AsSpan().SequenceEqual(p.shape))
                    throw new ArgumentException($"{Name}.LoadStateDict: state tensor '{name}' has shape {Shapes.Format(tensor.shape)}, its parameter {Shapes.Format(p.shape)}");
                s.SetBuffer(name[prefix.Length..], tensor.To(FusedUpdate.ComputeDType(p.DType)).Contiguous().Clone());
            }
            result.Add((p, s));
        }
        return result;
    }
}
