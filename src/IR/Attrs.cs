using System.Collections;
using System.Globalization;

namespace Kiln.IR;

/// <summary>
/// The attributes of one op call: named constants such as <c>dim</c>, <c>keepdim</c> or <c>negative_slope</c>.
/// Values are <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <see cref="DType"/>, <c>long[]</c> or null (an optional attribute left out).
/// </summary>
public sealed class Attrs : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly SortedDictionary<string, object?> values = new(StringComparer.Ordinal);

    /// <summary>No attributes.</summary>
    public static Attrs Empty { get; } = new();

    /// <summary>Sets an attribute (collection-initializer friendly).</summary>
    /// <exception cref="ArgumentException">The value is not of a supported attribute type.</exception>
    public void Add(string name, object? value)
    {
        values[name] = value switch
        {
            null or long or double or bool or string or DType or long[] => value,
            int i => (long)i,
            float f => (double)f,
            int[] ints => ints.Select(x => (long)x).ToArray(),
            _ => throw new ArgumentException($"attribute '{name}': values of type {value.GetType().Name} are not supported", nameof(value)),
        };
    }

    /// <summary>Whether the attribute is present (it may still be null).</summary>
    public bool Contains(string name) => values.ContainsKey(name);

    /// <summary>The raw value, or null when absent.</summary>
    public object? this[string name] => values.GetValueOrDefault(name);

    /// <summary>An integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public long GetLong(string name, long fallback) => values.TryGetValue(name, out var v) && v is not null ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A floating-point attribute, or <paramref name="fallback"/> when absent.</summary>
    public double GetDouble(string name, double fallback) => values.TryGetValue(name, out var v) && v is not null ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>An optional floating-point attribute: null when absent or null.</summary>
    public double? GetOptionalDouble(string name) => values.TryGetValue(name, out var v) && v is not null ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : null;

    /// <summary>A boolean attribute, or <paramref name="fallback"/> when absent.</summary>
    public bool GetBool(string name, bool fallback) => values.TryGetValue(name, out var v) && v is bool b ? b : fallback;

    /// <summary>A string attribute, or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback) => values.TryGetValue(name, out var v) && v is string s ? s : fallback;

    /// <summary>A list-of-integers attribute (a single integer counts as a list of one), or an empty array when absent.</summary>
    public long[] GetLongs(string name) => values.GetValueOrDefault(name) switch
    {
        long[] a => a,
        long l => [l],
        _ => [],
    };

    /// <summary>A dtype attribute, or null when absent.</summary>
    public DType? GetDType(string name) => values.GetValueOrDefault(name) as DType?;

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Formats as <c>{dim=[1], keepdim=true}</c>.</summary>
    public override string ToString() =>
        "{" + string.Join(", ", values.Select(kv => kv.Key + "=" + FormatValue(kv.Value))) + "}";

    private static string FormatValue(object? v) => v switch
    {
        null => "none",
        long[] a => "[" + string.Join(", ", a) + "]",
        bool b => b ? "true" : "false",
        DType d => d.Name(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
