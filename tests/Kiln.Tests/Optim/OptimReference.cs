using System.Runtime.CompilerServices;
using System.Text.Json;
using Kiln.Optim;

namespace Kiln.Tests.Optim;

/// <summary>
/// PyTorch's answers for the optimiser and scheduler tests: <c>tests/reference/handwritten/optim_reference.json</c>,
/// written by <c>optim_reference.py</c> beside it (run with Debian's torch 1.13).
/// </summary>
internal static class OptimReference
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(ReferencePath())).RootElement);

    private static string ReferencePath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "reference", "handwritten", "optim_reference.json");

    internal static JsonElement Json => Root.Value;

    internal static long[][] Shapes => Json.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();

    /// <summary>The starting values of the parameters, flat.</summary>
    internal static double[][] Initial => Doubles2(Json.GetProperty("initial"));

    /// <summary>The gradient of each parameter at each step, flat.</summary>
    internal static double[][][] Grads => Json.GetProperty("grads").EnumerateArray().Select(Doubles2).ToArray();

    internal static JsonElement Case(string section, string name) =>
        Json.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    internal static IEnumerable<string> CaseNames(string section) =>
        Json.GetProperty(section).EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    internal static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    internal static double[][] Doubles2(JsonElement e) => e.EnumerateArray().Select(Doubles).ToArray();

    /// <summary>A torch-named option of a case, or <paramref name="fallback"/> when the case does not set it.</summary>
    internal static double Option(JsonElement options, string name, double fallback) =>
        options.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;

    internal static bool Flag(JsonElement options, string name) => options.TryGetProperty(name, out var v) && v.GetBoolean();

    /// <summary>The parameters at their starting values, as leaves that require grad.</summary>
    internal static Tensor[] NewParams(DType dtype) =>
        Initial.Select((v, i) => Tensor.FromArray(v, Shapes[i]).To(dtype).RequiresGrad_()).ToArray();

    /// <summary>Sets each parameter's gradient for <paramref name="step"/>; <paramref name="skip"/> leaves the second one without a gradient on step 3.</summary>
    internal static void SetGrads(Tensor[] parameters, int step, bool skip)
    {
        for (int i = 0; i < parameters.Length; i++)
            parameters[i].Grad = skip && step == 3 && i == 1 ? null : Tensor.FromArray(Grads[step][i], Shapes[i]).To(parameters[i].DType);
    }

    /// <summary>The optimiser of a reference case, built through its constructor's named arguments.</summary>
    internal static Optimizer NewOptimizer(string kind, JsonElement o, IEnumerable<Tensor> p)
    {
        double lr = o.GetProperty("lr").GetDouble(), wd = Option(o, "weight_decay", 0);
        bool maximize = Flag(o, "maximize");
        return kind switch
        {
            "SGD" => new SGD(p, lr, momentum: Option(o, "momentum", 0), dampening: Option(o, "dampening", 0), weightDecay: wd,
                nesterov: Flag(o, "nesterov"), maximize: maximize),
            "Adam" => new Adam(p, lr, Betas(o), eps: Option(o, "eps", 1e-8), weightDecay: wd, amsgrad: Flag(o, "amsgrad"), maximize: maximize),
            "AdamW" => new AdamW(p, lr, Betas(o), eps: Option(o, "eps", 1e-8), weightDecay: Option(o, "weight_decay", 1e-2),
                amsgrad: Flag(o, "amsgrad"), maximize: maximize),
            "RMSprop" => new RMSprop(p, lr, alpha: Option(o, "alpha", 0.99), eps: Option(o, "eps", 1e-8), weightDecay: wd,
                momentum: Option(o, "momentum", 0), centered: Flag(o, "centered"), maximize: maximize),
            "Adagrad" => new Adagrad(p, lr, lrDecay: Option(o, "lr_decay", 0), weightDecay: wd,
                initialAccumulatorValue: Option(o, "initial_accumulator_value", 0), eps: Option(o, "eps", 1e-10), maximize: maximize),
            _ => throw new ArgumentException($"unknown optimiser {kind}"),
        };
    }

    private static (double, double)? Betas(JsonElement o) =>
        o.TryGetProperty("betas", out var b) ? (b[0].GetDouble(), b[1].GetDouble()) : null;
}
