using System.CommandLine;
using Kiln.Serialization;

namespace Kiln.Cli.Run;

/// <summary>
/// <c>kiln run net.kiln --input x.npy [--input y.npy ...] [--output out.npy] [--eval] [--native-kernels]</c>: loads a
/// saved script module, runs it on NumPy arrays and writes its outputs as <c>.npy</c> files or prints them. Errors are
/// one line on standard error, with exit code 1; precompiled kernels that cannot be used are one warning line there.
/// </summary>
internal static class RunCommand
{
    /// <summary>The command.</summary>
    internal static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The .kiln file to run (written by ScriptModule.Save)" };
        var inputs = new Option<string[]>("--input", "-i")
        {
            Description = "A .npy file for each input of Forward, in order (repeat the option)",
            Required = true,
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the first output to this .npy file, and any further outputs to NAME.1.npy, NAME.2.npy, ... " +
                "next to it (out.npy, out.1.npy, ...); without it, print each output's dtype, shape and values",
        };
        var eval = new Option<bool>("--eval") { Description = "Run in evaluation mode (Module.Eval) instead of the training flags saved in the file" };
        var nativeKernels = new Option<bool>("--native-kernels")
        {
            Description = "Run the precompiled kernels stored in the file (native code from the file: only for files you trust); " +
                "without it they are ignored and fused groups are JIT-compiled or interpreted",
        };
        var command = new Command("run", "Run a saved .kiln model on NumPy .npy inputs")
        {
            model, inputs, output, eval, nativeKernels,
        };
        command.SetAction(result => Run(result.GetRequiredValue(model), result.GetRequiredValue(inputs), result.GetValue(output), result.GetValue(eval),
            result.GetValue(nativeKernels)));
        return command;
    }

    /// <summary>The file the output at <paramref name="index"/> goes to: <paramref name="path"/> itself for the first, <c>name.index.npy</c> after.</summary>
    internal static string OutputPath(string path, int index)
    {
        if (index == 0) return path;
        string stem = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path;
        return $"{stem}.{index}.npy";
    }

    private static int Run(string modelPath, string[] inputPaths, string? outputPath, bool eval, bool nativeKernels)
    {
        try
        {
            var module = ScriptModule.Load(modelPath, new LoadOptions { TrustNativeKernels = nativeKernels });
            if (nativeKernels && module.NativeKernelMessage is { } message) Console.Error.WriteLine("kiln run: warning: " + message);
            if (eval) module.Eval();
            var inputs = inputPaths.Select(ReadInput).ToArray<object?>();
            var outputs = Flatten(module.Run(inputs)).ToList();
            if (outputPath is null)
            {
                Print(outputs);
                return 0;
            }
            for (int i = 0; i < outputs.Count; i++)
            {
                var tensor = outputs[i] as Tensor ?? throw new InvalidDataException(
                    $"output {i} is {Describe(outputs[i])}, not a tensor, and cannot be written as .npy");
                Npy.Write(OutputPath(outputPath, i), tensor);
            }
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KilnFormatException or NpyFormatException
                                      or ArgumentException or ScriptException or InvalidDataException)
        {
            Console.Error.WriteLine("kiln run: error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    private static Tensor ReadInput(string path)
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

    /// <summary>Forward's outputs in order, with tuples (<c>object?[]</c>) spread out.</summary>
    private static IEnumerable<object?> Flatten(object?[] outputs) =>
        outputs.SelectMany(o => o is object?[] tuple ? Flatten(tuple) : [o]);

    private static void Print(List<object?> outputs)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs.Count > 1) Console.Out.WriteLine($"output {i}:");
            if (outputs[i] is Tensor t) Console.Out.WriteLine($"{t.DType.ToString().ToLowerInvariant()}[{string.Join(", ", t.Shape)}]\n{t}");
            else Console.Out.WriteLine(Describe(outputs[i]));
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        _ => $"{value} ({value.GetType().Name})",
    };
}
