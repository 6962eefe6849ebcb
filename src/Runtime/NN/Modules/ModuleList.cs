using System.Collections;
using System.Globalization;

namespace Kiln.NN;

/// <summary>A list of submodules (<c>torch.nn.ModuleList</c>), registered as "0", "1", ...</summary>
/// <typeparam name="T">The type of module held.</typeparam>
public class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = [];

    /// <summary>A list holding <paramref name="modules"/>.</summary>
    public ModuleList(params T[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Adds a module at the end.</summary>
    public void Add(T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(items.Count.ToString(CultureInfo.InvariantCulture), module);
        items.Add(module);
    }

    /// <summary>The number of modules.</summary>
    public int Count => items.Count;

    /// <summary>The module at <paramref name="index"/> (negative counts from the end).</summary>
    public T this[int index] => items[index < 0 ? index + items.Count : index];

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of any modules (<c>torch.nn.ModuleList</c>).</summary>
public sealed class ModuleList : ModuleList<Module>
{
    /// <summary>A list holding <paramref name="modules"/>.</summary>
    public ModuleList(params Module[] modules) : base(modules)
    {
    }
}
