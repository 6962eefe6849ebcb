using System.Globalization;

namespace Kiln.Samples.AotInference;

/// <summary>
/// The sample's command line: the model, its inputs (files or one seeded random tensor), where the output goes, and
/// whether the model's precompiled kernels are trusted (<c>--native-kernels</c>).
/// </summary>
internal sealed record SampleOptions(string Model, IReadOnlyList<string> Inputs, long[] Shape, long Seed, string? Output, bool NativeKernels)
{
    /// <summary>The options in <paramref name="args"/>, or null when help was asked for.</summary>
    /// <exception cref="ArgumentException">An option is unknown, lacks its value, or its value is malformed.</exception>
    internal static SampleOptions? Parse(string[] args)
    {
        string? model = null, output = null;
        var inputs = new List<string>();
        long[] shape = [1, 64];
        long seed = 0;
        bool nativeKernels = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help": return null;
                case "-i" or "--input": inputs.Add(Value(args, ref i)); break;
                case "-o" or "--output": output = Value(args, ref i); break;
                case "--shape": shape = ParseShape(Value(args, ref i)); break;
                case "--seed": seed = ParseLong("--seed", Value(args, ref i)); break;
                case "--native-kernels": nativeKernels = true; break;
                case var a when a.StartsWith('-'): throw new ArgumentException($"unknown option {a}");
                case var a when model is null: model = a; break;
                default: throw new ArgumentException($"unexpected argument {args[i]}: give one model file");
            }
        }
        return new SampleOptions(model ?? throw new ArgumentException("no model file given"), inputs, shape, seed, output, nativeKernels);
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"option {args[i - 1]} needs a value");

    /// <summary>A shape written as dims joined by x: <c>1x64</c>, <c>8x1x8x8</c>.</summary>
    private static long[] ParseShape(string text)
    {
        var dims = text.Split('x').Select(d => ParseLong("--shape", d)).ToArray();
        return dims.All(d => d >= 0) ? dims : throw new ArgumentException($"--shape {text}: dims must not be negative");
    }

    private static long ParseLong(string option, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new ArgumentException($"{option}: '{text}' is not a whole number");
}
