namespace Kiln.Cli.Bench;

/// <summary>What <c>kiln bench</c> was asked to do.</summary>
/// <param name="ModelPath">The .kiln file.</param>
/// <param name="Shapes">The <c>--shape</c> texts, one per input of Forward.</param>
/// <param name="Warmup">Untimed runs before timing (after the check run).</param>
/// <param name="Iterations">Timed runs.</param>
/// <param name="Eval">Whether to run in evaluation mode.</param>
/// <param name="Seed">The random inputs' seed.</param>
internal sealed record BenchSettings(string ModelPath, IReadOnlyList<string> Shapes, int Warmup, int Iterations, bool Eval, long Seed)
{
    /// <summary>The parsed input shapes, once the counts are checked.</summary>
    /// <exception cref="ArgumentException">No shape is given, <see cref="Warmup"/> is negative or <see cref="Iterations"/> is not positive.</exception>
    /// <exception cref="FormatException">A shape does not parse.</exception>
    internal long[][] Validate()
    {
        if (Iterations <= 0) throw new ArgumentException($"--iterations must be positive, got {Iterations}");
        if (Warmup < 0) throw new ArgumentException($"--warmup must be zero or more, got {Warmup}");
        if (Shapes.Count == 0) throw new ArgumentException("give the shape of each input of Forward with --shape, as in --shape 64x1x8x8");
        return [.. Shapes.Select(InputShapes.Parse)];
    }
}
