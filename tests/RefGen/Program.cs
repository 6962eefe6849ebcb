using System.Text.Json;
using Kiln.IR;
using Kiln.RefGen;

// RefGen <samples.json> [op ...]: writes every registered op's samples (or only the named ops') with
// deterministic input data, for tests/reference/torch_oracle.py to run through PyTorch.
if (args.Length < 1 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: RefGen <samples.json> [op ...]   (see tests/reference/README.md)");
    return 2;
}

var only = args.Skip(1).ToHashSet(StringComparer.Ordinal);
var unknown = only.Where(name => OpRegistry.Find(name) is null).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"RefGen: no registered op named {string.Join(", ", unknown)}");
    return 2;
}

var ops = OpRegistry.All.Where(op => only.Count == 0 || only.Contains(op.Name)).ToArray();
using (var stream = File.Create(args[0]))
using (var writer = new Utf8JsonWriter(stream))
{
    writer.WriteStartObject();
    writer.WriteBoolean("complete", only.Count == 0);
    writer.WriteStartArray("ops");
    int samples = 0;
    foreach (var op in ops)
    {
        if (op.IsRandom)
        {
            Console.Error.WriteLine($"RefGen: skipping random op '{op.Name}'");
            continue;
        }
        samples += SampleWriter.WriteOp(writer, op);
    }
    writer.WriteEndArray();
    writer.WriteEndObject();
    Console.Error.WriteLine($"RefGen: {ops.Count(o => !o.IsRandom)} ops, {samples} samples -> {args[0]}");
}
return 0;
