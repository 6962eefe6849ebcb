using System.Diagnostics;
using System.Globalization;
using Kiln;
using Kiln.Codegen.Kernels;
using Kiln.Scripting;
using Kiln.Samples.AotInference;
using Kiln.Serialization;

// The clock for "time to first result" starts here, on Main's first line; the time the process started (from the OS)
// is read at the end, so the figure printed covers runtime start-up too.
var sinceMain = Stopwatch.StartNew();

const string Usage = "usage: AotInference <model.kiln> [--input x.npy]... [--shape 1x64] [--seed 0] [--output y.npy] [--native-kernels]";

try
{
    var options = SampleOptions.Parse(args);
    if (options is null)
    {
        Console.Out.WriteLine(Usage);
        return 0;
    }
    var module = ScriptModule.Load(options.Model, new LoadOptions { TrustNativeKernels = options.NativeKernels });
    if (options.NativeKernels && module.NativeKernelMessage is { } kernelMessage) Console.Error.WriteLine("AotInference: " + kernelMessage);
    var inputs = options.Inputs.Count > 0
        ? options.Inputs.Select(ReadInput).ToArray<object?>()
        : [RandomInput(options.Shape, options.Seed)];
    var outputs = module.Run(inputs);
    var firstResult = sinceMain.Elapsed;
    var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;

    if (options.Output is { } outputPath)
    {
        if (outputs is not [Tensor single]) throw new InvalidDataException($"the model returns {outputs.Length} outputs, not one tensor: leave out --output to print them");
        Npy.Write(outputPath, single);
    }
    else
    {
        foreach (var output in outputs) Console.Out.WriteLine(output is Tensor t ? $"{t.DType.ToString().ToLowerInvariant()}[{string.Join(", ", t.Shape)}]\n{t}" : $"{output}");
    }
    if (options.NativeKernels) Console.Error.WriteLine($"kernels: {PrecompiledKernels.Served} native");
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"first result: {sinceStart.TotalMilliseconds:F1} ms after process start ({firstResult.TotalMilliseconds:F1} ms after Main began)"));
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or KilnFormatException or NpyFormatException
                              or ArgumentException or ScriptException or InvalidDataException or InvalidOperationException)
{
    Console.Error.WriteLine("AotInference: error: " + e.Message.ReplaceLineEndings(" "));
    return 1;
}

static Tensor ReadInput(string path)
{
    try
    {
        return Npy.Read(path);
    }
    catch (NpyFormatException e)
    {
        throw new NpyFormatException($"{path}: {e.Message}", e);
    }
}

static Tensor RandomInput(long[] shape, long seed)
{
    Kiln.Random.ManualSeed(seed);
    return Tensor.Randn(shape);
}
