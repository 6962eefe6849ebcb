using System.Numerics;

namespace Kiln.Tests;

/// <summary>Helpers the kernel tests share: running a body on a set number of intra-op threads, and seeded random operands.</summary>
internal static class TestThreads
{
    /// <summary>Runs <paramref name="body"/> with <see cref="Threading.NumThreads"/> set to <paramref name="threads"/>, then restores it.</summary>
    public static T With<T>(int threads, Func<T> body)
    {
        int saved = Threading.NumThreads;
        Threading.NumThreads = threads;
        try
        {
            return body();
        }
        finally
        {
            Threading.NumThreads = saved;
        }
    }

    /// <summary>Runs <paramref name="body"/> with <see cref="Threading.NumThreads"/> set to <paramref name="threads"/>, then restores it.</summary>
    public static void With(int threads, Action body) => With(threads, () =>
    {
        body();
        return 0;
    });

    /// <summary><paramref name="count"/> values uniform in [-1, 1) from a generator seeded with <paramref name="seed"/>.</summary>
    public static T[] Random<T>(int count, int seed) where T : INumberBase<T>
    {
        var rng = new System.Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => T.CreateChecked(rng.NextDouble() * 2 - 1))];
    }
}
