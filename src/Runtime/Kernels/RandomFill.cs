using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels;

/// <summary>
/// Fills contiguous tensors from a <see cref="Generator"/>. Value <c>i</c> of a fill always uses the same
/// words of the reserved stream, so the result does not depend on how the work is split across threads.
/// </summary>
internal static class RandomFill
{
    /// <summary>Values per batch: the unit of work, and of Box-Muller pairing for normals.</summary>
    private const int Batch = 256;

    /// <summary>Values below which a fill stays on the calling thread (a value costs more than a copied element).</summary>
    private const long Grain = 1 << 13;

    /// <summary>
    /// Writes <c>from + (to - from) * u</c> into every element of <paramref name="dst"/> (float or double), with
    /// <c>u = k / 2^bits</c> for a uniform integer <c>k</c> in [0, 2^bits): <paramref name="bits"/> is the
    /// target's precision, so u is exact and below 1.
    /// </summary>
    internal static void Uniform<T>(Tensor dst, Generator generator, int bits, double from, double to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = dst.numel;
        var stream = generator.Reserve(n * WordsPerValue(bits));
        T low = T.CreateTruncating(from), width = T.CreateTruncating(to - from);
        CpuParallel.For(n, Grain, (start, end) =>
        {
            Span<T> u = stackalloc T[Batch];
            for (long s = start; s < end; s += Batch)
            {
                int m = (int)Math.Min(Batch, end - s);
                Draw(stream, bits, s, u[..m]);
                var d = dst.Span<T>(s, m);
                TensorPrimitives.Multiply(u[..m], width, d);
                TensorPrimitives.Add(d, low, d);
            }
        });
    }

    /// <summary>
    /// Writes normal values with mean <paramref name="mean"/> and standard deviation <paramref name="std"/>
    /// into <paramref name="dst"/> (float or double) by the Box-Muller transform: in each batch of values the
    /// first half are <c>r cos θ</c> and the second half <c>r sin θ</c> of the same pairs of uniforms.
    /// </summary>
    internal static void Normal<T>(Tensor dst, Generator generator, int bits, double mean, double std)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = dst.numel;
        long batches = (n + Batch - 1) / Batch;
        // An odd final batch draws one uniform more than it writes.
        var stream = generator.Reserve((n + 1) * WordsPerValue(bits));
        T mu = T.CreateTruncating(mean), sigma = T.CreateTruncating(std), minusTwo = T.CreateTruncating(-2.0);
        CpuParallel.For(batches, Math.Max(1, Grain / Batch), (first, last) =>
        {
            Span<T> u = stackalloc T[Batch];
            Span<T> radius = stackalloc T[Batch / 2];
            Span<T> sin = stackalloc T[Batch / 2];
            Span<T> cos = stackalloc T[Batch / 2];
            for (long b = first; b < last; b++)
            {
                long s = b * Batch;
                int m = (int)Math.Min(Batch, n - s), h = (m + 1) / 2;
                Draw(stream, bits, s, u[..(2 * h)]);
                // radius = sqrt(-2 ln(1 - u1)), with 1 - u1 in (0, 1] so the log is finite.
                var r = radius[..h];
                TensorPrimitives.Subtract(T.One, u[..h], r);
                TensorPrimitives.Log(r, r);
                TensorPrimitives.Multiply(r, minusTwo, r);
                TensorPrimitives.Sqrt(r, r);
                var theta = u.Slice(h, h);
                TensorPrimitives.Multiply(theta, T.Tau, theta);
                TensorPrimitives.SinCos(theta, sin[..h], cos[..h]);
                var d = dst.Span<T>(s, m);
                TensorPrimitives.Multiply(r, cos[..h], d[..h]);
                TensorPrimitives.Multiply(r[..(m - h)], sin[..(m - h)], d[h..]);
                TensorPrimitives.Multiply(d, sigma, d);
                TensorPrimitives.Add(d, mu, d);
            }
        });
    }

    /// <summary>
    /// Writes integers uniform in [<paramref name="low"/>, <paramref name="low"/> + <paramref name="range"/>) into
    /// the int64 tensor <paramref name="dst"/>: each value scales a 64-bit draw by the range (Lemire's
    /// multiply-shift), whose bias is below range / 2^64.
    /// </summary>
    internal static void Integers(Tensor dst, Generator generator, long low, ulong range)
    {
        long n = dst.numel;
        var stream = generator.Reserve(n * 2);
        CpuParallel.For(n, Grain, (start, end) =>
        {
            Span<uint> words = stackalloc uint[2 * Batch];
            for (long s = start; s < end; s += Batch)
            {
                int m = (int)Math.Min(Batch, end - s);
                stream.Words(2 * s, words[..(2 * m)]);
                var d = dst.Span<long>(s, m);
                for (int i = 0; i < m; i++)
                {
                    ulong x = ((ulong)words[2 * i + 1] << 32) | words[2 * i];
                    ulong offset = (ulong)(((UInt128)x * range) >> 64);
                    d[i] = (long)((ulong)low + offset);
                }
            }
        });
    }

    /// <summary>32-bit words per uniform value: one for up to 32 bits of precision, else two.</summary>
    private static int WordsPerValue(int bits) => bits > 32 ? 2 : 1;

    /// <summary>Uniform values <c>k / 2^bits</c> number <paramref name="first"/> onward of the stream.</summary>
    private static void Draw<T>(PhiloxStream stream, int bits, long first, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int perValue = WordsPerValue(bits);
        Span<uint> words = stackalloc uint[2 * Batch];
        words = words[..(destination.Length * perValue)];
        stream.Words(first * perValue, words);
        T scale = T.ScaleB(T.One, -bits);
        if (perValue == 1)
        {
            for (int i = 0; i < destination.Length; i++)
                destination[i] = T.CreateTruncating(words[i] >> (32 - bits)) * scale;
        }
        else
        {
            for (int i = 0; i < destination.Length; i++)
            {
                ulong x = ((ulong)words[2 * i + 1] << 32) | words[2 * i];
                destination[i] = T.CreateTruncating(x >> (64 - bits)) * scale;
            }
        }
    }
}
