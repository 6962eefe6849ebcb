using System.Collections;

namespace Kiln.NN;

/// <summary>Submodules by name, in insertion order (<c>torch.nn.ModuleDict</c>).</summary>
/// <typeparam name="T">The type of module held.</typeparam>
public class ModuleDict<T> : Module, IReadOnlyDictionary<string, T> where T : Module
{
    private readonly Dictionary<string, T> items = new(StringComparer.Ordinal);
    private readonly List<string> order = [];

    /// <summary>A dictionary holding <paramref name="modules"/>.</summary>
    public ModuleDict(params (string Name, T Module)[] modules)
    {
        foreach (var (name, m) in modules) Add(name, m);
    }

    /// <summary>Adds <paramref name="module"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is taken, empty or contains a dot.</exception>
    public void Add(string name, T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(name, module);
        items.Add(name, module);
        order.Add(name);
    }

    /// <summary>The module named <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No module has that name.</exception>
    public T this[string key] => items.TryGetValue(key, out var m) ? m
        : throw new KeyNotFoundException($"ModuleDict: no module named '{key}'; it has {string.Join(", ", order)}");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => order;

    /// <inheritdoc/>
    public IEnumerable<T> Values => order.Select(k => items[k]);

    /// <inheritdoc/>
    public int Count => order.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => items.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out T value) => items.TryGetValue(key, out value!);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => order.Select(k => new KeyValuePair<string, T>(k, items[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Any modules by name (<c>torch.nn.ModuleDict</c>).</summary>
public sealed class ModuleDict : ModuleDict<Module>
{
    /// <summary>A dictionary holding <paramref name="modules"/>.</summary>
    public ModuleDict(params (string Name, Module Module)[] modules) : base(modules)
    {
    }
}
