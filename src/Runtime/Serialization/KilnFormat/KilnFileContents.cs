using Kiln.Codegen.Kernels;
using Kiln.IR;

namespace Kiln.Serialization;

/// <summary>The program that wrote a <c>.kiln</c> file.</summary>
/// <param name="Name">The producer's name, e.g. <c>Kiln</c>.</param>
/// <param name="Version">The producer's version.</param>
public sealed record KilnProducer(string Name, string Version)
{
    /// <summary>This Kiln runtime, with its assembly version.</summary>
    public static KilnProducer Current { get; } =
        new("Kiln", typeof(KilnProducer).Assembly.GetName().Version?.ToString() ?? "0.0.0.0");
}

/// <summary>Everything a <c>.kiln</c> file holds: graphs, tensors, metadata and who wrote it.</summary>
/// <param name="Graphs">The graphs, callees before callers; each is stored as its <c>.kir</c> text.</param>
/// <param name="EntryGraph">The name of the graph that running the model calls; one of <paramref name="Graphs"/>.</param>
/// <param name="Tensors">The tensors by name, in the order of their bytes in the file.</param>
/// <param name="Metadata">Free-form strings.</param>
/// <param name="Producer">Who wrote the file (the writer stores what is given here).</param>
public sealed record KilnFileContents(
    GraphModule Graphs,
    string EntryGraph,
    OrderedDictionary<string, KilnTensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    KilnProducer Producer)
{
    /// <summary>The file's format version; a reader fills it from the header, the writer always writes the current one.</summary>
    public Version FormatVersion { get; init; } = KilnFile.FormatVersion;

    /// <summary>
    /// The fused kernels compiled ahead of time (format 1.1), or null. They are native code: readers load them only when
    /// asked to (<c>LoadOptions.TrustNativeKernels</c>).
    /// </summary>
    public KernelLibrary? Kernels { get; init; }
}
