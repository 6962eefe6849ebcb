using Kiln.IR.Ops;

namespace Kiln.Kernels.Sampling;

/// <summary>
/// multinomial: category indices drawn from each row of non-negative weights (normalised by their sum).
/// With replacement, each sample inverts the row's cumulative weights at a uniform 53-bit draw. Without
/// replacement, PyTorch's exponential race: the samples are the categories with the largest w_i / E_i,
/// E_i ~ Exp(1), in decreasing order, which draws them one at a time in proportion to the weights left;
/// categories of weight 0 come last (by index), after every category of positive weight. Row r uses its
/// own range of the generator's stream, so results do not depend on the thread count.
/// </summary>
internal static class MultinomialKernel
{
    /// <summary>
    /// <paramref name="numSamples"/> indices per row of <paramref name="input"/> (1-d: one row; 2-d: one row per
    /// entry of dim 0), as an int64 tensor [numSamples] or [rows, numSamples].
    /// </summary>
    /// <exception cref="ArgumentException">The call is invalid (see <see cref="RandomOps.MultinomialShape"/>), or a row holds a negative, infinite or NaN weight or sums to 0.</exception>
    internal static Tensor Run(Tensor input, long numSamples, bool replacement, Generator? generator)
    {
        long[] shape = RandomOps.MultinomialShape(input.DType, input.shape, numSamples, replacement);
        var result = Tensor.Empty(DType.Int64, shape);
        int rows = input.Dim == 1 ? 1 : checked((int)input.shape[0]), categories = checked((int)input.shape[^1]);
        if (rows == 0) return result;
        var weights = input.To(DType.Float64).Contiguous();
        for (int r = 0; r < rows; r++)
            CheckRow(weights.Span<double>((long)r * categories, categories), r, input.shape);
        int samples = checked((int)numSamples);
        long wordsPerRow = 2L * (replacement ? samples : categories);
        var stream = (generator ?? Random.DefaultGenerator).Reserve(rows * wordsPerRow);
        CpuParallel.For(rows, Math.Max(1, (1 << 14) / Math.Max(categories, samples)), (first, end) =>
        {
            var draws = new double[replacement ? samples : categories];
            var scratch = new double[categories];
            int[] order = replacement ? [] : new int[categories];
            for (long r = first; r < end; r++)
            {
                Uniform(stream, r * wordsPerRow, draws);
                var row = weights.Span<double>(r * categories, categories);
                var output = result.Span<long>(r * samples, samples);
                if (replacement) WithReplacement(row, draws, scratch, output);
                else WithoutReplacement(row, draws, scratch, order, output);
            }
        });
        return result;
    }

    private static void CheckRow(ReadOnlySpan<double> row, int r, long[] shape)
    {
        double sum = 0;
        for (int c = 0; c < row.Length; c++)
        {
            if (!(row[c] >= 0 && double.IsFinite(row[c])))
                throw new ArgumentException($"multinomial: probability tensor contains either inf, nan or element < 0: row {r}, category {c} is {row[c]} (input shape {Shapes.Format(shape)})");
            sum += row[c];
        }
        if (sum <= 0)
            throw new ArgumentException($"multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row {r} (input shape {Shapes.Format(shape)})");
    }

    /// <summary>Uniform values in [0, 1) with 53 random bits each, from words [firstWord, firstWord + 2·count).</summary>
    private static void Uniform(PhiloxStream stream, long firstWord, Span<double> destination)
    {
        Span<uint> words = stackalloc uint[512];
        for (int done = 0; done < destination.Length; done += 256)
        {
            int count = Math.Min(256, destination.Length - done);
            stream.Words(firstWord + 2L * done, words[..(2 * count)]);
            for (int i = 0; i < count; i++)
            {
                ulong bits = ((ulong)words[2 * i + 1] << 32) | words[2 * i];
                destination[done + i] = (bits >> 11) * (1.0 / (1UL << 53));
            }
        }
    }

    /// <summary>Each sample: the first category whose cumulative weight exceeds u·total.</summary>
    private static void WithReplacement(ReadOnlySpan<double> row, ReadOnlySpan<double> draws, Span<double> cumulative, Span<long> output)
    {
        double total = 0;
        int last = 0;
        for (int c = 0; c < row.Length; c++)
        {
            total += row[c];
            cumulative[c] = total;
            if (row[c] > 0) last = c;
        }
        for (int s = 0; s < output.Length; s++)
        {
            double target = draws[s] * total;
            int lo = 0, hi = row.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > target) hi = mid;
                else lo = mid + 1;
            }
            // Rounding can put the target at the total itself: that is the last category of positive weight.
            output[s] = Math.Min(lo, last);
        }
    }

    /// <summary>
    /// The categories with the largest keys w_i / E_i, E_i = -ln(1 - u_i), largest first; categories of weight 0
    /// follow by index. Sorted ascending on -key for positive weights and on the index (≥ 0) for the others.
    /// </summary>
    private static void WithoutReplacement(ReadOnlySpan<double> row, ReadOnlySpan<double> draws, double[] sortKeys, int[] order, Span<long> output)
    {
        for (int c = 0; c < row.Length; c++)
        {
            sortKeys[c] = row[c] > 0 ? -(row[c] / -Math.Log(1 - draws[c])) : c;
            order[c] = c;
        }
        Array.Sort(sortKeys, order);
        for (int s = 0; s < output.Length; s++)
            output[s] = order[s];
    }
}
