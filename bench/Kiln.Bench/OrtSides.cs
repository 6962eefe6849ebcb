using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Kiln.Bench;

/// <summary>
/// ONNX Runtime 1.31.1 sides for the workloads of issue 8, from the models that bench/onnx/export_models.py writes.
/// Sessions run as the peers' ONNX Runtime benchmark does: the bench's thread count intra-op, one inter-op thread,
/// sequential execution, all graph optimisations, and pre-allocated input and output OrtValues so a timed call
/// allocates nothing. Inputs are seeded uniform values and the weights are PyTorch's, not Kiln's: these sides are
/// timed, never cross-checked.
/// </summary>
internal sealed class OrtSides : IDisposable
{
    /// <summary>Where the models are looked for when --onnx-models is not given (relative to the working directory).</summary>
    public const string DefaultFolder = "bench/onnx/models";

    // Workload name prefix -> model file. The eager, scripted, optimised and compiled variants share one session.
    private static readonly (string Prefix, string File)[] ModelFiles =
    [
        ("eltwise_4M", "eltwise.onnx"),
        ("mlp_forward", "mlp.onnx"),
        ("lenet_forward", "lenet.onnx"),
        ("lstm_forward", "lstm.onnx"),
        ("encoder_forward", "encoder.onnx"),
    ];

    private readonly string folder;
    private readonly int threads;
    private readonly Dictionary<string, Side> sides = [];
    private readonly List<IDisposable> owned = [];
    private readonly RunOptions runOptions = new();

    private OrtSides(string folder, int threads)
    {
        this.folder = folder;
        this.threads = threads;
    }

    /// <summary>
    /// The ONNX Runtime sides over the models in <paramref name="folder"/>, or null, after one line on
    /// <paramref name="log"/> saying how to export them, when any model is missing.
    /// </summary>
    public static OrtSides? Open(string folder, int threads, TextWriter log)
    {
        string[] missing = [.. ModelFiles.Select(m => m.File).Where(f => !File.Exists(Path.Combine(folder, f)))];
        if (missing.Length > 0)
        {
            log.WriteLine($"ONNX Runtime column skipped: {string.Join(", ", missing)} not in {Path.GetFullPath(folder)}; " +
                "export them with `/usr/bin/python3 bench/onnx/export_models.py` (or pass --onnx-models DIR)");
            return null;
        }
        return new OrtSides(folder, threads);
    }

    /// <summary>The ONNX Runtime side of the workload called <paramref name="workloadName"/>, or null when it has none.</summary>
    public Side? For(string workloadName)
    {
        string? file = ModelFiles.Where(m => workloadName.StartsWith(m.Prefix, StringComparison.Ordinal)).Select(m => m.File).FirstOrDefault();
        if (file is null) return null;
        if (!sides.TryGetValue(file, out Side? side))
        {
            side = Load(Path.Combine(folder, file));
            sides.Add(file, side);
        }
        return side;
    }

    private Side Load(string path)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var session = new InferenceSession(path, options);
        owned.Add(session);
        string[] inputNames = [.. session.InputNames], outputNames = [.. session.OutputNames];
        OrtValue[] inputs = [.. inputNames.Select((name, i) => Value(path, name, session.InputMetadata[name], seed: 61 + i, fill: true))];
        var outputBuffers = new float[outputNames.Length][];
        OrtValue[] outputs = [.. outputNames.Select((name, i) => Value(path, name, session.OutputMetadata[name], seed: 0, fill: false, buffer: b => outputBuffers[i] = b))];
        void Call() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        return new Side(Call, () =>
        {
            Call();
            return [.. outputBuffers[0]];
        });
    }

    // An OrtValue over a managed array of the (fixed) shape the model declares for one input or output.
    private OrtValue Value(string path, string name, NodeMetadata metadata, int seed, bool fill, Action<float[]>? buffer = null)
    {
        long[] shape = [.. metadata.Dimensions.Select(d => (long)d)];
        if (metadata.ElementDataType != TensorElementType.Float || shape.Any(d => d <= 0))
            throw new InvalidOperationException($"{path}: '{name}' is {metadata.ElementDataType} [{string.Join(", ", shape)}]; the bench needs fp32 with fixed sizes (re-export with bench/onnx/export_models.py)");
        var data = new float[shape.Aggregate(1L, (product, d) => product * d)];
        if (fill)
        {
            var random = new System.Random(seed);
            for (int i = 0; i < data.Length; i++) data[i] = (random.NextSingle() * 2) - 1;
        }
        buffer?.Invoke(data);
        var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        owned.Add(value);
        return value;
    }

    /// <summary>Releases the sessions and the native tensors.</summary>
    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
        runOptions.Dispose();
    }
}
