using System.Globalization;

namespace Kiln.NN;

/// <summary>Argument checks and initialisation steps shared by the built-in layers.</summary>
internal static class LayerChecks
{
    internal static void NonNegative(string layer, params (string Name, long Value)[] sizes)
    {
        foreach (var (name, value) in sizes)
        {
            if (value < 0) throw new ArgumentException($"{layer}: {name} must be non-negative, got {value}");
        }
    }

    internal static void Positive(string layer, params (string Name, long Value)[] sizes)
    {
        foreach (var (name, value) in sizes)
        {
            if (value <= 0) throw new ArgumentException($"{layer}: {name} must be positive, got {value}");
        }
    }

    /// <summary>A new parameter of <paramref name="shape"/> (contents set by the caller's initialisation).</summary>
    internal static Parameter NewParameter(string layer, long[] shape, DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{layer}: parameters must be floating point, got dtype {dtype.Name()}");
        return new Parameter(Tensor.Zeros(shape, dtype));
    }

    /// <summary>PyTorch's bias initialisation: U(-1/√fanIn, 1/√fanIn) (zero bound when fanIn is 0).</summary>
    internal static void UniformByFanIn(Tensor tensor, long fanIn)
    {
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        Init.Uniform_(tensor, -bound, bound);
    }

    /// <summary>A bool as Python prints it, for module descriptions.</summary>
    internal static string Py(bool value) => value ? "True" : "False";

    /// <summary>A tuple of sizes as Python prints it: <c>(3, 3)</c>, <c>(5,)</c>.</summary>
    internal static string Py(long[] values) =>
        values.Length == 1 ? $"({values[0].ToString(CultureInfo.InvariantCulture)},)" : "(" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + ")";

    /// <summary>A float as Python prints it.</summary>
    internal static string Py(double value)
    {
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E', StringComparison.Ordinal)) return s.Replace("E", "e", StringComparison.Ordinal);
        return double.IsFinite(value) && !s.Contains('.', StringComparison.Ordinal) ? s + ".0" : s;
    }
}
