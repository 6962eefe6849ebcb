using Kiln.Bench;

// Kiln vs TorchSharp-cpu 0.107.0 (libtorch 2.10) and ONNX Runtime 1.31.1: the same workloads, same process, interleaved rounds.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

if (options.Memory)
{
    MemoryReport.Print(Console.Out);
    return 0;
}

Workload[] selected = [.. Workloads.All.Where(w => options.Selects(w.Name))];
if (selected.Length == 0)
{
    Console.Error.WriteLine($"error: --only {string.Join(',', options.Only)} matches none of: {string.Join(", ", Workloads.All.Select(w => w.Name))}");
    return 2;
}

KilnSides.UseThreads(options.Threads);
TorchSharpSides.UseThreads(options.Threads);
TorchSharpSides.VerifyMatmul();
var machine = MachineInfo.Detect(TorchSharpSides.LibTorchVersion);
Console.WriteLine($"TorchSharp loaded (libtorch {machine.LibTorch}); matmul self-check passed");

using OrtSides? ort = OrtSides.Open(options.OnnxModels, options.Threads, Console.Out);
IReadOnlyList<WorkloadResult> results = Runner.Run(selected, options, ort, Console.Out);
Console.WriteLine();
ReportTable.Print(Console.Out, machine, options, results);
if (options.CsvPath is not null) ReportTable.WriteCsv(options.CsvPath, results);
return results.All(r => r.Check.Passed) ? 0 : 1;
