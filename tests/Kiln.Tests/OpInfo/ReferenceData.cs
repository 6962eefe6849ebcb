using System.IO.Compression;
using System.Text.Json;
using Kiln.IR;

namespace Kiln.Tests.OpInfo;

/// <summary>One input of a reference sample: its spec and its logical values (row-major).</summary>
internal sealed record ReferenceInput(TensorSpec Spec, JsonElement Values);

/// <summary>One output PyTorch produced: dtype, shape and values (row-major; NaN and infinities as strings).</summary>
internal sealed record ReferenceOutput(DType DType, long[] Shape, JsonElement Values);

/// <summary>
/// PyTorch's vector-Jacobian product for one sample: a cotangent per output (null for outputs torch cannot
/// differentiate: integer, bool or constant ones) and the gradient of each input (null for non-floating
/// inputs and inputs the outputs do not depend on: a zero gradient), values row-major in the output's or input's
/// dtype; <paramref name="NotDifferentiable"/> lists the floating inputs torch refuses to differentiate (a loss's
/// class weights, batch norm's running statistics), whose null gradient means nothing.
/// </summary>
internal sealed record ReferenceGradients(IReadOnlyList<JsonElement?> GradOutputs, IReadOnlyList<JsonElement?> Grads, IReadOnlySet<int> NotDifferentiable);

/// <summary>
/// One sample of a reference file: inputs and attributes as RefGen wrote them, then either PyTorch's
/// outputs or the error PyTorch raised (then Kiln must raise one too); samples with floating inputs and
/// outputs also carry PyTorch's gradients, or the reason torch gave none (<paramref name="GradError"/>).
/// </summary>
internal sealed record ReferenceSample(
    string Op, string Id, IReadOnlyList<ReferenceInput> Inputs, Attrs Attrs,
    IReadOnlyList<ReferenceOutput> Outputs, string? Error, string? Note,
    ReferenceGradients? Gradients = null, string? GradError = null);

/// <summary>The reference file of one op.</summary>
internal sealed record ReferenceOp(string Op, string Family, IReadOnlyList<ReferenceSample> Samples);

/// <summary>
/// The reference files (tests/Kiln.Tests/Reference/&lt;op&gt;.json.gz, embedded in the test assembly),
/// written by tests/reference/generate.sh from PyTorch.
/// </summary>
internal static class ReferenceData
{
    private const string ResourcePrefix = "Reference/";

    private static readonly Lazy<IReadOnlyDictionary<string, ReferenceOp>> Loaded = new(Load);

    /// <summary>Every reference file, by op name.</summary>
    public static IReadOnlyDictionary<string, ReferenceOp> Ops => Loaded.Value;

    /// <summary>The reference sample <paramref name="id"/> of <paramref name="op"/>.</summary>
    public static ReferenceSample Get(string op, string id) =>
        Ops.TryGetValue(op, out var file) && file.Samples.FirstOrDefault(s => s.Id == id) is { } sample
            ? sample
            : throw new KeyNotFoundException($"no reference sample '{id}' for op '{op}'");

    private static Dictionary<string, ReferenceOp> Load()
    {
        var assembly = typeof(ReferenceData).Assembly;
        var ops = new Dictionary<string, ReferenceOp>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = new GZipStream(assembly.GetManifestResourceStream(name)!, CompressionMode.Decompress);
            using var document = JsonDocument.Parse(stream);
            var op = ReadOp(document.RootElement.Clone());
            ops.Add(op.Op, op);
        }
        return ops;
    }

    private static ReferenceOp ReadOp(JsonElement root)
    {
        string op = root.GetProperty("op").GetString()!;
        var samples = root.GetProperty("samples").EnumerateArray().Select(s => ReadSample(op, s)).ToArray();
        return new ReferenceOp(op, root.GetProperty("family").GetString()!, samples);
    }

    private static ReferenceSample ReadSample(string op, JsonElement s)
    {
        var inputs = s.GetProperty("inputs").EnumerateArray()
            .Select(i => new ReferenceInput(SampleCodec.ReadSpec(i), i.GetProperty("values"))).ToArray();
        var outputs = s.TryGetProperty("outputs", out var outs)
            ? outs.EnumerateArray().Select(o => new ReferenceOutput(
                DTypes.Parse(o.GetProperty("dtype").GetString()!), SampleCodec.ReadShape(o.GetProperty("shape")), o.GetProperty("values"))).ToArray()
            : [];
        var gradients = s.TryGetProperty("grads", out var grads)
            ? new ReferenceGradients(SampleCodec.ReadValueLists(s.GetProperty("grad_outputs")), SampleCodec.ReadValueLists(grads),
                s.TryGetProperty("not_differentiable", out var refused) ? refused.EnumerateArray().Select(i => i.GetInt32()).ToHashSet() : [])
            : null;
        return new ReferenceSample(op, s.GetProperty("id").GetString()!, inputs, SampleCodec.ReadAttrs(s.GetProperty("attrs")),
            outputs, s.TryGetProperty("error", out var e) ? e.GetString() : null, s.TryGetProperty("note", out var n) ? n.GetString() : null,
            gradients, s.TryGetProperty("grad_error", out var g) ? g.GetString() : null);
    }
}
