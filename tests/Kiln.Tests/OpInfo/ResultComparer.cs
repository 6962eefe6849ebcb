using System.Globalization;
using System.Text;
using Kiln.IR;
using Xunit.Sdk;

namespace Kiln.Tests.OpInfo;

/// <summary>
/// Compares a Kiln result with PyTorch's: dtype and shape exactly, integers and bools exactly, floats
/// within a tolerance where NaN matches NaN and an infinity matches only the same infinity.
/// </summary>
internal static class ResultComparer
{
    private const int MaxListed = 8;

    /// <summary>Fails, naming <paramref name="what"/> and the first differing elements, unless <paramref name="actual"/> matches.</summary>
    public static void AssertMatches(string what, Tensor actual, ReferenceOutput expected, Tolerance tolerance)
    {
        if (actual.DType != expected.DType || !actual.Shape.AsSpan().SequenceEqual(expected.Shape))
        {
            throw new XunitException($"{what}: Kiln gives {actual.DType.Name()}{Shapes.Format(actual.Shape)}, "
                + $"torch gives {expected.DType.Name()}{Shapes.Format(expected.Shape)}");
        }
        var values = expected.Values.EnumerateArray().ToArray();
        if (values.Length != actual.Numel)
            throw new XunitException($"{what}: the reference holds {values.Length} values for shape {Shapes.Format(expected.Shape)}");

        bool floating = expected.DType.IsFloatingPoint();
        long[]? exactInt64 = expected.DType == DType.Int64 ? actual.ToArray<long>() : null;
        var report = new StringBuilder();
        int differing = 0;
        for (int i = 0; i < values.Length; i++)
        {
            bool same;
            string want, got;
            if (floating)
            {
                double e = ReferenceValues.Float(values[i], expected.DType), a = actual.GetAsDouble(i);
                same = Close(a, e, tolerance);
                (want, got) = (Format(e, expected.DType), Format(a, expected.DType));
            }
            else
            {
                long e = ReferenceValues.Integer(values[i]), a = exactInt64?[i] ?? (long)actual.GetAsDouble(i);
                same = a == e;
                (want, got) = (e.ToString(CultureInfo.InvariantCulture), a.ToString(CultureInfo.InvariantCulture));
            }
            if (same) continue;
            if (++differing <= MaxListed)
                report.Append(CultureInfo.InvariantCulture, $"\n    at {Shapes.Format(Unravel(i, expected.Shape))}: torch {want}, Kiln {got}");
        }
        if (differing > 0)
        {
            string bound = floating ? $" beyond rtol={Format(tolerance.Rtol)}, atol={Format(tolerance.Atol)}" : "";
            throw new XunitException($"{what}: {differing} of {values.Length} {expected.DType.Name()} elements differ from torch{bound}:{report}"
                + (differing > MaxListed ? $"\n    ... and {differing - MaxListed} more" : ""));
        }
    }

    /// <summary>|actual - expected| ≤ atol + rtol·|expected|; NaN only matches NaN, an infinity only itself.</summary>
    public static bool Close(double actual, double expected, Tolerance tolerance)
    {
        if (double.IsNaN(expected)) return double.IsNaN(actual);
        if (double.IsInfinity(expected) || !double.IsFinite(actual)) return actual == expected;
        return Math.Abs(actual - expected) <= tolerance.Atol + tolerance.Rtol * Math.Abs(expected);
    }

    private static long[] Unravel(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The shortest form that identifies <paramref name="v"/> as a value of <paramref name="dtype"/>.</summary>
    private static string Format(double v, DType dtype) => dtype switch
    {
        DType.Float16 => ((Half)v).ToString(CultureInfo.InvariantCulture),
        DType.Float32 or DType.BFloat16 => ((float)v).ToString("R", CultureInfo.InvariantCulture),
        _ => Format(v),
    };
}
