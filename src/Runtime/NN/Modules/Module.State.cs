using Kiln.Serialization;

namespace Kiln.NN;

// State dicts, dtype and device conversion.
public abstract partial class Module
{
    /// <summary>
    /// The module's state (<c>state_dict()</c>): every parameter and persistent buffer by dotted name, this module's
    /// own first, then each submodule's. The tensors share storage with the module's and are detached.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        AddState(state, "");
        return state;
    }

    private void AddState(Dictionary<string, Tensor> state, string prefix)
    {
        foreach (var kind in new[] { MemberKind.Parameter, MemberKind.Buffer })
        {
            foreach (var m in Members())
            {
                if (m.Kind == kind && m.Persistent && m.Value is Tensor t) state[Join(prefix, m.Name)] = t.Detach();
            }
        }
        foreach (var (name, child) in NamedChildren())
            child.AddState(state, Join(prefix, name));
    }

    /// <summary>
    /// Copies <paramref name="state"/> into the module's parameters and buffers (<c>load_state_dict</c>), converting
    /// dtypes. With <paramref name="strict"/>, missing and unexpected keys are errors; shape mismatches always are.
    /// </summary>
    /// <exception cref="ArgumentException">Keys are missing or unexpected (strict), or a shape differs.</exception>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToArray();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToArray();
        var problems = new List<string>();
        if (strict && missing.Length > 0) problems.Add($"missing keys: {string.Join(", ", missing)}");
        if (strict && unexpected.Length > 0) problems.Add($"unexpected keys: {string.Join(", ", unexpected)}");
        foreach (var (name, target) in own)
        {
            if (state.TryGetValue(name, out var source) && !source.shape.AsSpan().SequenceEqual(target.shape))
                problems.Add($"'{name}' has shape {Shapes.Format(source.shape)} in the state dict but {Shapes.Format(target.shape)} in the module");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"LoadStateDict ({GetType().Name}): " + string.Join("; ", problems));
        using (Autograd.NoGrad())
        {
            foreach (var (name, target) in own)
            {
                if (state.TryGetValue(name, out var source)) target.Copy_(source);
            }
        }
        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>Writes <see cref="StateDict"/> to a safetensors file (readable by PyTorch's <c>safetensors.torch.load_file</c>).</summary>
    public void SaveSafetensors(string path) => Safetensors.Save(path, StateDict());

    /// <summary>Loads weights saved as a safetensors file (by <see cref="SaveSafetensors"/> or by PyTorch), as <see cref="LoadStateDict"/> does.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="ArgumentException">Keys are missing or unexpected (strict), or a shape differs.</exception>
    public LoadStateDictResult LoadSafetensors(string path, bool strict = true) => LoadStateDict(Safetensors.Load(path), strict);

    /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> (<c>module.to(dtype)</c>).</summary>
    /// <remarks>Parameters are replaced by new ones, so create optimisers after converting.</remarks>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not floating point.</exception>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"Module.To: only floating-point dtypes are supported, got {dtype.Name()}", nameof(dtype));
        foreach (var module in Modules())
        {
            foreach (var m in module.Members())
            {
                if (m.Value is not Tensor t || !t.DType.IsFloatingPoint() || t.DType == dtype) continue;
                Tensor converted;
                using (Autograd.NoGrad())
                    converted = m.Kind == MemberKind.Parameter ? new Parameter(t.To(dtype), t.RequiresGrad) { Grad = t.Grad?.To(dtype) } : t.To(dtype);
                m.Value = converted;
            }
        }
        return this;
    }

    /// <summary>Moves the module to <paramref name="device"/> (<c>module.to(device)</c>).</summary>
    /// <exception cref="NotSupportedException">The device is not the CPU (the only device eager tensors live on so far).</exception>
    public Module To(Device device) => device == Device.Cpu ? this
        : throw new NotSupportedException($"Module.To: device {device} is not supported by eager tensors yet; only cpu");
}

/// <summary>What <see cref="Module.LoadStateDict"/> did not match (empty lists when everything matched).</summary>
/// <param name="MissingKeys">Names the module has but the state dict does not.</param>
/// <param name="UnexpectedKeys">Names the state dict has but the module does not.</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
