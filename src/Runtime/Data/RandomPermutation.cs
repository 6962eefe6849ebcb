namespace Kiln.Data;

/// <summary>
/// Random permutations of 0 .. n-1 drawn from a <see cref="Generator"/> (the <c>torch.randperm</c> that
/// shuffling and <see cref="Dataset.RandomSplit{T}(Dataset{T}, IReadOnlyList{long}, Generator?)"/> need).
/// Same seed, same permutation; the numbers are not PyTorch's (its generator differs).
/// </summary>
internal static class RandomPermutation
{
    private const int WordsPerChunk = 4096;

    /// <summary>A uniformly random permutation of [0, <paramref name="n"/>): a Fisher–Yates shuffle with 64-bit draws.</summary>
    internal static long[] Draw(long n, Generator generator)
    {
        var order = new long[n];
        for (long i = 0; i < n; i++) order[i] = i;
        if (n < 2) return order;
        // Two 32-bit words per swap; the range is scaled by a 64×64→128-bit multiply (bias below n / 2^64).
        long draws = n - 1;
        var stream = generator.Reserve(2 * draws);
        Span<uint> words = stackalloc uint[WordsPerChunk];
        long i0 = n - 1, word = 0;
        while (i0 > 0)
        {
            int take = (int)Math.Min(WordsPerChunk / 2, i0);
            var chunk = words[..(2 * take)];
            stream.Words(word, chunk);
            word += chunk.Length;
            for (int k = 0; k < take; k++, i0--)
            {
                ulong r = ((ulong)chunk[2 * k + 1] << 32) | chunk[2 * k];
                long j = (long)(ulong)(((UInt128)r * (ulong)(i0 + 1)) >> 64);
                (order[i0], order[j]) = (order[j], order[i0]);
            }
        }
        return order;
    }
}
