using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kiln.Optim;

/// <summary>Param-group option values to and from JSON: numbers, bools, pairs as two-element arrays, null.</summary>
internal static class OptionJson
{
    internal static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        ValueTuple<double, double> pair => new JsonArray(pair.Item1, pair.Item2),
        _ => throw new InvalidOperationException($"OptionJson: unexpected option value of type {value.GetType().Name}"),
    };

    /// <exception cref="ArgumentException">The node is not a number, bool, two-number array or null.</exception>
    internal static object? FromJson(string name, JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number => v.GetValue<double>(),
        JsonArray { Count: 2 } a when a.All(x => x?.GetValueKind() is JsonValueKind.Number) => (a[0]!.GetValue<double>(), a[1]!.GetValue<double>()),
        _ => throw new ArgumentException($"LoadStateDict: option '{name}' holds {node.ToJsonString()}; options are numbers, bools, two-number arrays or null"),
    };
}
