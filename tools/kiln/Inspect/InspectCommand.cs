using System.CommandLine;
using System.Globalization;
using Kiln.IR;
using Kiln.Serialization;

namespace Kiln.Cli.Inspect;

/// <summary>
/// <c>kiln inspect net.kiln</c>: prints what a <c>.kiln</c> file holds (format version, producer, each graph's
/// <c>.kir</c> text, every tensor with its kind, dtype, shape and size, and the metadata) without running anything.
/// Errors are one line on standard error, with exit code 1.
/// </summary>
internal static class InspectCommand
{
    /// <summary>The command.</summary>
    internal static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The .kiln file to describe" };
        var command = new Command("inspect", "Print a .kiln file's format version, producer, graphs (.kir text), tensors with their sizes, and metadata")
        {
            model,
        };
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(model);
            try
            {
                Console.Out.Write(Describe(KilnFile.Read(path)));
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or KilnFormatException)
            {
                Console.Error.WriteLine("kiln inspect: error: " + e.Message.ReplaceLineEndings(" "));
                return 1;
            }
        });
        return command;
    }

    /// <summary>The report for <paramref name="contents"/>: sections for the file, graphs, tensors and metadata.</summary>
    internal static string Describe(KilnFileContents contents)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        w.WriteLine($"format version: {contents.FormatVersion}");
        w.WriteLine($"producer: {contents.Producer.Name} {contents.Producer.Version}");
        w.WriteLine($"entry graph: {contents.EntryGraph}");
        w.WriteLine();
        w.WriteLine($"graphs ({contents.Graphs.Graphs.Count}):");
        foreach (var graph in contents.Graphs.Graphs) w.WriteLine(KirPrinter.Print(graph).TrimEnd('\n'));
        w.WriteLine();
        var rows = contents.Tensors.Select(t => (t.Key, Kind: t.Value.Kind.ToString().ToLowerInvariant(),
            Type: $"{t.Value.Tensor.DType.ToString().ToLowerInvariant()}[{string.Join(", ", t.Value.Tensor.Shape)}]",
            Bytes: t.Value.Tensor.Numel * t.Value.Tensor.DType.ElementSize())).ToList();
        w.WriteLine($"tensors ({rows.Count}, {Size(rows.Sum(r => r.Bytes))} in all):");
        int name = rows.Select(r => r.Key.Length).DefaultIfEmpty(0).Max(), type = rows.Select(r => r.Type.Length).DefaultIfEmpty(0).Max();
        foreach (var r in rows) w.WriteLine($"  {r.Key.PadRight(name)}  {r.Kind,-9}  {r.Type.PadRight(type)}  {Size(r.Bytes)}");
        w.WriteLine();
        if (contents.Kernels is { } kernels)
        {
            w.WriteLine($"precompiled kernels ({kernels.Symbols.Count} for {kernels.Target}, LLVM {kernels.LlvmVersion}, library {Size(kernels.Library.Length)}, sha256 {kernels.Sha256}):");
            foreach (var k in kernels.Symbols) w.WriteLine($"  {k.Symbol}  @{k.Callee}  layout {k.Layout}");
            w.WriteLine();
        }
        w.WriteLine($"metadata ({contents.Metadata.Count}):");
        foreach (var (key, value) in contents.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            w.WriteLine($"  {key}: {value.ReplaceLineEndings("\\n").Replace("\t", "\\t", StringComparison.Ordinal)}");
        return w.ToString();
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1 << 10 => $"{bytes} B",
        < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B ({bytes / 1024.0:F1} KiB)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B ({bytes / (1024.0 * 1024):F1} MiB)"),
    };
}
