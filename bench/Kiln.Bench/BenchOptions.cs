using System.Globalization;

namespace Kiln.Bench;

/// <summary>Command-line settings of one benchmark run.</summary>
internal sealed record BenchOptions
{
    /// <summary>Intra-op threads for both frameworks (torch.set_num_threads and Kiln.Threading.NumThreads).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>How many interleaved rounds (Kiln, TorchSharp, Kiln, ...) each workload is measured in.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Timing settings of one measurement.</summary>
    public HarnessSettings Harness { get; init; } = HarnessSettings.Standard;

    /// <summary>The most the whole run may wait for other processes to quiet down (0: never wait or re-measure).</summary>
    public double QuietWaitSeconds { get; init; } = 120;

    /// <summary>Substrings of the workload names to run; empty runs them all.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Where to write every round's raw figures as CSV, or null.</summary>
    public string? CsvPath { get; init; }

    /// <summary>The folder holding the ONNX models for the ONNX Runtime column (bench/onnx/export_models.py writes them).</summary>
    public string OnnxModels { get; init; } = OrtSides.DefaultFolder;

    /// <summary>True for <c>--memory</c>: print the tensor memory of the scripted models instead of timing.</summary>
    public bool Memory { get; init; }

    /// <summary>True when the user asked for the usage text.</summary>
    public bool ShowHelp { get; init; }

    public const string Usage = """
        Kiln vs TorchSharp-cpu and ONNX Runtime benchmark (same process, interleaved, medians).

        usage: dotnet run -c Release --project bench/Kiln.Bench -- [options]
          --quick            1 round, short warm-up and repetitions (a smoke test, ~10 s)
          --only A,B         run only the workloads whose name contains A or B (e.g. --only gemm,add1)
          --rounds N         interleaved rounds per workload (default 5; figures are medians over rounds)
          --threads N        intra-op threads for both frameworks (default 2)
          --wait-quiet S     in all, wait up to S seconds for other processes to go below 10% of
                             the machine, before each round and before re-measuring a workload
                             that ran beside them (default 120; 0 with --quick: no waits, no retries)
          --csv FILE         also write each round's figures to FILE
          --onnx-models DIR  ONNX models for the ONNX Runtime column (default bench/onnx/models; export
                             them with /usr/bin/python3 bench/onnx/export_models.py; missing: no column)
          --memory           print the tensor memory of the scripted models (eager, scripted, optimized) and exit
          --help             this text
        """;

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            options = arg switch
            {
                "--quick" => options with { Rounds = 1, Harness = HarnessSettings.Quick, QuietWaitSeconds = 0 },
                "--only" => options with { Only = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--rounds" => options with { Rounds = PositiveInt(args, ref i) },
                "--threads" => options with { Threads = PositiveInt(args, ref i) },
                "--wait-quiet" => options with { QuietWaitSeconds = NonNegativeInt(args, ref i) },
                "--csv" => options with { CsvPath = Value(args, ref i) },
                "--onnx-models" => options with { OnnxModels = Value(args, ref i) },
                "--memory" => options with { Memory = true },
                "--help" or "-h" => options with { ShowHelp = true },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }
        return options;
    }

    /// <summary>Whether the workload called <paramref name="name"/> was selected by --only.</summary>
    public bool Selects(string name) => Only.Count == 0 || Only.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"option '{args[i]}' needs a value");
        return args[++i];
    }

    private static int PositiveInt(string[] args, ref int i) => WholeNumber(args, ref i, minimum: 1);

    private static int NonNegativeInt(string[] args, ref int i) => WholeNumber(args, ref i, minimum: 0);

    private static int WholeNumber(string[] args, ref int i, int minimum)
    {
        string option = args[i], text = Value(args, ref i);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new ArgumentException($"option '{option}' needs a whole number of at least {minimum}, got '{text}'");
        return value;
    }
}
