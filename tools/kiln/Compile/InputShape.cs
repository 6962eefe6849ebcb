using System.Globalization;

namespace Kiln.Cli.Compile;

/// <summary>
/// One model input given on the command line as <c>64x1x8x8</c> (dims separated by <c>x</c>), optionally with a dtype
/// suffix, <c>64x784:int64</c>; float32 without one.
/// </summary>
/// <param name="Shape">The dims, each at least 1.</param>
/// <param name="DType">The element type.</param>
internal sealed record InputShape(long[] Shape, DType DType)
{
    /// <summary>What a valid value looks like, for error messages and help.</summary>
    internal const string Syntax = "dims separated by 'x', each a positive integer, optionally followed by :dtype (64x1x8x8, 64x16:int64)";

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is not a shape; the message quotes it and says what is expected.</exception>
    internal static InputShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string dims = colon < 0 ? text : text[..colon];
        var dtype = colon < 0 ? DType.Float32 : ParseDType(text, text[(colon + 1)..]);
        var parts = dims.Split('x');
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
                throw new FormatException($"--shape '{text}': '{parts[i]}' is not a positive integer dim; expected {Syntax}");
        }
        return new InputShape(shape, dtype);
    }

    /// <summary>A zero tensor of this shape and dtype: scripting reads only an example's shape and dtype.</summary>
    internal Tensor Example() => Tensor.Zeros(Shape, DType);

    /// <inheritdoc/>
    public override string ToString() => $"{DType.Name()}[{string.Join(", ", Shape)}]";

    private static DType ParseDType(string text, string name)
    {
        var match = DTypes.All.Where(d => d.Name() == name).ToList();
        return match.Count == 1 ? match[0] : throw new FormatException(
            $"--shape '{text}': unknown dtype '{name}'; expected one of {string.Join(", ", DTypes.All.Select(d => d.Name()))}");
    }
}
