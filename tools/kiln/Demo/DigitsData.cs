using System.Globalization;
using System.IO.Compression;

namespace Kiln.Cli.Demo;

/// <summary>
/// The UCI handwritten-digits set (data/digits.csv.gz, embedded in the CLI): 1,797 8×8 images with
/// pixel values 0..16 and their labels 0..9.
/// </summary>
internal static class DigitsData
{
    private const int Pixels = 64;

    /// <summary>Images as float32 [N, 1, 8, 8] scaled to [0, 1], and labels as int64 [N].</summary>
    /// <exception cref="InvalidDataException">A row does not have 64 pixels and a label in range.</exception>
    internal static (Tensor Images, Tensor Labels) Load()
    {
        using var stream = typeof(DigitsData).Assembly.GetManifestResourceStream("digits.csv.gz")
            ?? throw new InvalidOperationException("the digits data set is not embedded in the CLI");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        var pixels = new List<float>();
        var labels = new List<long>();
        int row = 0;
        while (reader.ReadLine() is { } line)
        {
            row++;
            var fields = line.Split(',');
            if (fields.Length != Pixels + 1)
                throw new InvalidDataException($"digits.csv.gz row {row}: expected {Pixels + 1} values, got {fields.Length}");
            for (int i = 0; i < Pixels; i++)
                pixels.Add(float.Parse(fields[i], CultureInfo.InvariantCulture) / 16f);
            long label = long.Parse(fields[Pixels], CultureInfo.InvariantCulture);
            if (label is < 0 or > 9)
                throw new InvalidDataException($"digits.csv.gz row {row}: label {label} is not a digit");
            labels.Add(label);
        }
        return (Tensor.FromArray(pixels.ToArray(), labels.Count, 1, 8, 8), Tensor.FromArray(labels.ToArray()));
    }
}
