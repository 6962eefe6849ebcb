using System.CommandLine;
using System.Reflection;
using Kiln.Frontend.Files;
using Kiln.Serialization;
using Module = Kiln.NN.Module;

namespace Kiln.Cli.Compile;

/// <summary>
/// <c>kiln compile Model.cs [More.cs ...] --class Net [--weights w.safetensors] --shape 64x784 [--shape ...] [--train]
/// [--optimize [--target host|x86_64]] -o net.kiln</c>: compiles the C# files with Roslyn, checks the [Script] class with
/// the subset checker, creates it, loads its weights, scripts its Forward for the given input shapes, optionally
/// optimises it (fused groups) and stores its kernels compiled ahead of time, and saves the script module. C# and [Script]
/// errors print like the compiler's (<c>Model.cs(12,9): error CS0103: ...</c>, <c>Model.cs(14,13): error KILN0003: ...</c>);
/// other errors are one line, <c>kiln compile: error: ...</c>; either way the exit code is 1.
/// </summary>
internal static class CompileCommand
{
    /// <summary>The command.</summary>
    internal static Command Create()
    {
        var files = new Argument<string[]>("files")
        {
            Description = "The C# files declaring the model (each with its own using directives: no implicit usings are added)",
            Arity = ArgumentArity.OneOrMore,
        };
        var className = new Option<string>("--class", "-c")
        {
            Description = "The [Script] module class to compile: its name, or its full name (Ns.Net) when the name is ambiguous; " +
                "it needs a public parameterless constructor",
            Required = true,
        };
        var weights = new Option<string?>("--weights", "-w")
        {
            Description = "A safetensors file with the module's parameters and buffers by state-dict name (fc1.weight, ...), " +
                "loaded before scripting; every name must match, with the same shape",
        };
        var shapes = new Option<string[]>("--shape", "-s")
        {
            Description = $"The shape of each Forward input, in order (repeat the option per input): {InputShape.Syntax}; " +
                "the graph is made for exactly these shapes unless --dynamic-batch is given",
            Required = true,
        };
        var train = new Option<bool>("--train")
        {
            Description = "Script the module in training mode (dropout active, batch norm on batch statistics); by default it is put in Eval() first",
        };
        var dynamicBatch = new Option<bool>("--dynamic-batch")
        {
            Description = "Make dim 0 of every input the symbol ?b, so the file runs at any batch size; refused (KILN0202, at the " +
                "line) where Forward needs the batch size as a C# value or a library call bakes it in",
        };
        var optimize = new Option<bool>("--optimize") { Description = "Optimise the scripted graphs (O1 and fusion: ScriptModule.Optimize)" };
        var target = new Option<string?>("--target")
        {
            Description = "With --optimize: compile the fused kernels ahead of time for 'host' (this CPU) or 'x86_64' (any x86-64) " +
                "and store them in the file, for loaders that trust them (kiln run --native-kernels); needs libLLVM and cc now, not at run time",
        };
        var output = new Option<string>("--output", "-o") { Description = "The .kiln file to write", Required = true };
        var command = new Command("compile", "Compile a [Script] model from C# source to a .kiln file")
        {
            files, className, weights, shapes, dynamicBatch, train, optimize, target, output,
        };
        command.SetAction(result => Compile(new CompileRequest(
            result.GetRequiredValue(files), result.GetRequiredValue(className), result.GetValue(weights),
            result.GetRequiredValue(shapes), result.GetValue(train), result.GetRequiredValue(output),
            result.GetValue(optimize), result.GetValue(target), result.GetValue(dynamicBatch))));
        return command;
    }

    private static int Compile(CompileRequest request)
    {
        try
        {
            var inputs = request.Shapes.Select(InputShape.Parse).ToList();
            var kernelTarget = ParseTarget(request.Target, request.Optimize);
            var compiled = ScriptFiles.Read(request.Files);
            if (compiled.Errors.Count > 0) return Fail(compiled.Errors);
            var type = compiled.FindModuleClass(request.ClassName);
            var problems = compiled.Check(type);
            if (problems.Count > 0) return Fail(problems);
            var module = Create(type);
            if (request.Weights is not null) LoadWeights(module, request.Weights);
            if (!request.Train) module.Eval();
            var example = inputs.Select(i => i.Example()).ToArray();
            var scripted = request.DynamicBatch ? Jit.Script(module, new TraceOptions { DynamicBatch = true }, example) : Jit.Script(module, example);
            if (request.Optimize) scripted = scripted.Optimize();
            scripted.Save(request.Output, new SaveOptions { Target = kernelTarget });
            Console.Out.WriteLine($"wrote {request.Output}: {type.Name}, inputs {string.Join(", ", inputs)}{(request.DynamicBatch ? " (dim 0 any size)" : "")}, {(request.Train ? "training" : "eval")} mode");
            return 0;
        }
        catch (ScriptException e) when (e.Diagnostics.Count > 0)
        {
            return Fail(e.Diagnostics);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException
                                      or SafetensorsFormatException or ScriptException or InvalidOperationException or NotSupportedException
                                      or Codegen.LlvmException or Codegen.LlvmUnavailableException)
        {
            Console.Error.WriteLine("kiln compile: error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    /// <summary>The kernel target <c>--target</c> names (none without it).</summary>
    private static KernelTarget ParseTarget(string? target, bool optimize) => target switch
    {
        null => KernelTarget.None,
        _ when !optimize => throw new ArgumentException($"--target {target} needs --optimize: only an optimised model has fused kernels to compile"),
        "host" => KernelTarget.Host,
        "x86_64" or "x86-64" => KernelTarget.X86_64,
        _ => throw new ArgumentException($"--target {target}: expected 'host' or 'x86_64'"),
    };

    /// <summary>Prints <paramref name="diagnostics"/> one per line, as the C# compiler does; the exit code 1.</summary>
    private static int Fail(IEnumerable<ScriptDiagnostic> diagnostics)
    {
        foreach (var d in diagnostics) Console.Error.WriteLine(d.ToString().ReplaceLineEndings(" "));
        return 1;
    }

    private static Module Create(Type type)
    {
        try
        {
            return (Module)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw new InvalidOperationException($"the constructor of '{type.Name}' threw {inner.GetType().Name}: {inner.Message}", inner);
        }
    }

    private static void LoadWeights(Module module, string path)
    {
        try
        {
            module.LoadSafetensors(path);
        }
        catch (SafetensorsFormatException e)
        {
            throw new SafetensorsFormatException($"{path}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--weights {path}: {e.Message}", e);
        }
    }

    private sealed record CompileRequest(string[] Files, string ClassName, string? Weights, string[] Shapes, bool Train, string Output, bool Optimize, string? Target, bool DynamicBatch);
}
