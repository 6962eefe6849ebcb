namespace Kiln.RefGen;

/// <summary>
/// A tiny, fully specified pseudo-random generator (Steele, Lea and Flood's SplitMix64), so the
/// sample inputs never change with the .NET version the way an unspecified library generator could.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>A uniform integer in [lo, hi] (both ends included).</summary>
    public long Integer(long lo, long hi) => lo + (long)(NextBits() % (ulong)(hi - lo + 1));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>One element of <paramref name="choices"/>, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> choices) => choices[(int)Integer(0, choices.Count - 1)];

    /// <summary>A seed that depends on every byte of <paramref name="key"/> (64-bit FNV-1a), stable across runs and platforms.</summary>
    public static ulong SeedOf(string key)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(key))
            h = (h ^ b) * 0x100000001B3UL;
        return h;
    }
}
