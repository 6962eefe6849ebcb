namespace Kiln.Passes;

/// <summary>
/// A pass's options from a pipeline string: <c>autodiff{wrt=fc1.weight,fc1.bias seed=ones}</c> gives
/// <c>wrt</c> the list [fc1.weight, fc1.bias] and <c>seed</c> the list [ones]. Options a pass does not
/// know are errors (see <see cref="CheckKnown"/>).
/// </summary>
public sealed class PassOptions
{
    private readonly Dictionary<string, string[]> values = new(StringComparer.Ordinal);

    /// <summary>No options.</summary>
    public static PassOptions None { get; } = new();

    /// <summary>Sets option <paramref name="name"/> to the comma-separated <paramref name="values"/>.</summary>
    public void Set(string name, IEnumerable<string> values) => this.values[name] = [.. values];

    /// <summary>The option's values, or null when it was not given.</summary>
    public IReadOnlyList<string>? Get(string name) => values.GetValueOrDefault(name);

    /// <summary>The option's single value, or <paramref name="fallback"/> when it was not given.</summary>
    /// <exception cref="ArgumentException">The option has more than one value.</exception>
    public string GetOne(string pass, string name, string fallback) => values.GetValueOrDefault(name) switch
    {
        null => fallback,
        [var one] => one,
        var many => throw new ArgumentException($"pass '{pass}': option '{name}' takes one value, got {many.Length} ({string.Join(",", many)})"),
    };

    /// <summary>Throws unless every option given is one of <paramref name="known"/>.</summary>
    /// <exception cref="ArgumentException">An option is not one the pass takes.</exception>
    public void CheckKnown(string pass, params string[] known)
    {
        foreach (var name in values.Keys)
        {
            if (!known.Contains(name))
                throw new ArgumentException($"pass '{pass}': unknown option '{name}'; it takes {(known.Length == 0 ? "no options" : string.Join(", ", known))}");
        }
    }
}
