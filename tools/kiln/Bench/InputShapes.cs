using System.Globalization;

namespace Kiln.Cli.Bench;

/// <summary>The <c>--shape</c> syntax of <c>kiln bench</c>: dims separated by <c>x</c>, as in <c>64x1x8x8</c>.</summary>
internal static class InputShapes
{
    // A float32 tensor's bytes must fit one managed array.
    private const long MaxElements = int.MaxValue / sizeof(float);

    /// <summary>The dims of <paramref name="text"/>: one or more positive integers separated by <c>x</c>.</summary>
    /// <exception cref="FormatException">A dim is not a positive integer, or the tensor would have too many elements.</exception>
    internal static long[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x');
        var dims = new long[parts.Length];
        long elements = 1;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
                throw new FormatException($"--shape \"{text}\": dim {i} (\"{parts[i]}\") is not a positive integer; write the dims separated by x, as in 64x1x8x8");
            elements = dims[i] > MaxElements ? MaxElements + 1 : Math.Min(elements * dims[i], MaxElements + 1);
        }
        if (elements > MaxElements)
            throw new FormatException($"--shape \"{text}\": more than {MaxElements} elements, too large for one float32 tensor");
        return dims;
    }

    /// <summary><paramref name="dims"/> as the runtime prints a tensor type: <c>float32[64, 1, 8, 8]</c>.</summary>
    internal static string Describe(long[] dims) => $"float32[{string.Join(", ", dims)}]";
}
