using System.IO.Compression;
using System.Text.Json;

namespace Kiln.Tests.NN;

/// <summary>One case of tests/reference/layers/layers_reference.py: a torch layer's state, inputs, outputs and gradients.</summary>
internal sealed record LayerCase(
    string Name, bool Train, IReadOnlyDictionary<string, Tensor> State, Tensor[] Inputs, Tensor[] Outputs, Tensor[] Cotangents,
    IReadOnlyDictionary<string, Tensor> Grads, IReadOnlyDictionary<string, Tensor> StateAfter);

/// <summary>The layer reference file (NN/Reference/layers.json.gz, embedded), written by Debian's PyTorch 1.13.</summary>
internal static class LayerReference
{
    private static readonly Lazy<Dictionary<string, LayerCase>> Cases = new(Load);

    /// <summary>Every case by name.</summary>
    public static IReadOnlyDictionary<string, LayerCase> All => Cases.Value;

    private static Dictionary<string, LayerCase> Load()
    {
        using var stream = new GZipStream(typeof(LayerReference).Assembly.GetManifestResourceStream("NN/layers.json.gz")!, CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(stream);
        var result = new Dictionary<string, LayerCase>(StringComparer.Ordinal);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var name = c.GetProperty("name").GetString()!;
            result[name] = new LayerCase(name, c.GetProperty("train").GetBoolean(), Map(c.GetProperty("state")),
                List(c.GetProperty("inputs")), List(c.GetProperty("outputs")), List(c.GetProperty("cotangents")),
                Map(c.GetProperty("grads")), Map(c.GetProperty("state_after")));
        }
        return result;
    }

    private static Tensor[] List(JsonElement array) => array.EnumerateArray().Select(ToTensor).ToArray();

    private static Dictionary<string, Tensor> Map(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => ToTensor(p.Value), StringComparer.Ordinal);

    private static Tensor ToTensor(JsonElement t)
    {
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var values = t.GetProperty("values");
        var flat = shape.Length == 0 ? [1L] : shape;
        var tensor = t.GetProperty("dtype").GetString() switch
        {
            "float64" => Tensor.FromArray(values.EnumerateArray().Select(e => e.GetDouble()).ToArray(), flat),
            "int64" => Tensor.FromArray(values.EnumerateArray().Select(e => e.GetInt64()).ToArray(), flat),
            "bool" => Tensor.FromArray(values.EnumerateArray().Select(e => e.GetInt64() != 0).ToArray(), flat),
            var other => throw new InvalidDataException($"layers.json.gz: unexpected dtype {other}"),
        };
        return tensor.Reshape(shape);
    }
}
