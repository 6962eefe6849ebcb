using System.IO.Compression;
using System.Text.RegularExpressions;
using Kiln.Serialization;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// A model's PyTorch reference (GraphExecution/Reference/&lt;model&gt;.safetensors.gz, embedded; written by
/// tests/reference/graphs/graphs_reference.py): its weights, and its inputs and outputs at two batch sizes.
/// Also the model's <c>.kir</c> text (tests/kir/models/&lt;model&gt;.kir, embedded).
/// </summary>
internal sealed partial class GraphReference
{
    private readonly IReadOnlyDictionary<string, Tensor> tensors;

    private GraphReference(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        this.tensors = tensors;
        Batches = [.. metadata["batches"].Split(',').Select(long.Parse)];
        Parameters = tensors.Where(t => !InputOrOutput().IsMatch(t.Key)).ToDictionary(StringComparer.Ordinal);
    }

    /// <summary>The batch sizes the model ran at.</summary>
    public long[] Batches { get; }

    /// <summary>The model's state dict, under the names of the graph's parameters.</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters { get; }

    /// <summary>The reference of <paramref name="model"/>.</summary>
    public static GraphReference Load(string model)
    {
        using var stream = new GZipStream(Resource($"GraphExecution/{model}.safetensors.gz"), CompressionMode.Decompress);
        var contents = Safetensors.LoadWithMetadata(stream);
        return new GraphReference(contents.Tensors, contents.Metadata!);
    }

    /// <summary>The <c>.kir</c> text of <paramref name="model"/>.</summary>
    public static string Kir(string model)
    {
        using var reader = new StreamReader(Resource($"kir/models/{model}.kir"));
        return reader.ReadToEnd();
    }

    /// <summary>Input <paramref name="name"/> at batch size <paramref name="batch"/>.</summary>
    public Tensor Input(long batch, string name) => tensors[$"in{batch}.{name}"];

    /// <summary>List input <paramref name="name"/> at batch size <paramref name="batch"/>.</summary>
    public Tensor[] InputList(long batch, string name) =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => $"in{batch}.{name}.{i}").TakeWhile(tensors.ContainsKey).Select(k => tensors[k])];

    /// <summary>PyTorch's outputs at batch size <paramref name="batch"/>.</summary>
    public Tensor[] Outputs(long batch) =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => $"out{batch}.{i}").TakeWhile(tensors.ContainsKey).Select(k => tensors[k])];

    private static Stream Resource(string name) =>
        typeof(GraphReference).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"no embedded resource {name}");

    [GeneratedRegex(@"^(in|out)\d+\.")]
    private static partial Regex InputOrOutput();
}
