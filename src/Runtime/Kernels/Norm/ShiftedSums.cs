using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Norm;

/// <summary>
/// One pass over values for their mean and variance: Σ(x - shift) and Σ(x - shift)² accumulated in double
/// with SIMD. Shifting by a value of the data (its first element) keeps the two sums small when the mean
/// is large against the spread, so sumSq - sum²/n loses no precision where a plain sum of squares would.
/// </summary>
internal static class ShiftedSums
{
    /// <summary>Adds Σ(x - shift) to <paramref name="sum"/> and Σ(x - shift)² to <paramref name="sumSq"/>.</summary>
    internal static void Accumulate<T>(ReadOnlySpan<T> x, double shift, ref double sum, ref double sumSq) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            AccumulateSingle(MemoryMarshal.Cast<T, float>(x), shift, ref sum, ref sumSq);
        else
            AccumulateDouble(MemoryMarshal.Cast<T, double>(x), shift, ref sum, ref sumSq);
    }

    /// <summary>The columns <see cref="AccumulateColumns{T}"/> keeps in registers at once.</summary>
    internal const int ColumnBlock = 16;

    /// <summary>
    /// Column sums of a row-major matrix of <paramref name="rows"/> rows of <paramref name="width"/> elements:
    /// for the <paramref name="count"/> (at most <see cref="ColumnBlock"/>) columns from <paramref name="first"/>,
    /// sets sum[j] = Σ(x[i, j] - shift[j]) and sumSq[j] = Σ(x[i, j] - shift[j])² over the rows. A full block
    /// keeps its sums in registers while it walks down the rows, one cache line per row.
    /// </summary>
    internal static void AccumulateColumns<T>(ReadOnlySpan<T> matrix, long rows, int width, int first, int count,
        ReadOnlySpan<double> shift, Span<double> sum, Span<double> sumSq) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (count < ColumnBlock || !Vector256.IsHardwareAccelerated)
        {
            for (int j = first; j < first + count; j++)
            {
                double s = 0, q = 0;
                for (long i = 0; i < rows; i++)
                {
                    double d = double.CreateTruncating(matrix[(int)(i * width) + j]) - shift[j];
                    s += d;
                    q += d * d;
                }
                sum[j] = s;
                sumSq[j] = q;
            }
            return;
        }
        ref T start = ref MemoryMarshal.GetReference(matrix);
        ref double h = ref MemoryMarshal.GetReference(shift.Slice(first));
        Vector256<double> h0 = Vector256.LoadUnsafe(ref h), h1 = Vector256.LoadUnsafe(ref h, 4), h2 = Vector256.LoadUnsafe(ref h, 8), h3 = Vector256.LoadUnsafe(ref h, 12);
        Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<double> q0 = default, q1 = default, q2 = default, q3 = default;
        for (long i = 0; i < rows; i++)
        {
            nuint at = (nuint)(i * width + first);
            Vector256<double> a, b, c, d;
            if (typeof(T) == typeof(float))
            {
                ref float f = ref Unsafe.As<T, float>(ref start);
                (a, b) = Vector256.Widen(Vector256.LoadUnsafe(ref f, at));
                (c, d) = Vector256.Widen(Vector256.LoadUnsafe(ref f, at + 8));
            }
            else
            {
                ref double g = ref Unsafe.As<T, double>(ref start);
                (a, b, c, d) = (Vector256.LoadUnsafe(ref g, at), Vector256.LoadUnsafe(ref g, at + 4), Vector256.LoadUnsafe(ref g, at + 8), Vector256.LoadUnsafe(ref g, at + 12));
            }
            a -= h0; b -= h1; c -= h2; d -= h3;
            s0 += a; s1 += b; s2 += c; s3 += d;
            q0 = Vector256.FusedMultiplyAdd(a, a, q0);
            q1 = Vector256.FusedMultiplyAdd(b, b, q1);
            q2 = Vector256.FusedMultiplyAdd(c, c, q2);
            q3 = Vector256.FusedMultiplyAdd(d, d, q3);
        }
        Store(sum.Slice(first), s0, s1, s2, s3);
        Store(sumSq.Slice(first), q0, q1, q2, q3);
    }

    /// <summary>The mean and the biased variance (divided by <paramref name="count"/>) of values with the given shifted sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (double Mean, double Variance) Moments(long count, double shift, double sum, double sumSq)
    {
        double mean = sum / count;
        // Rounding can leave a hair below zero for constant data; a variance is never negative.
        return (shift + mean, Math.Max(sumSq / count - mean * mean, 0));
    }

    private static void Store(Span<double> destination, Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
    {
        ref double r = ref MemoryMarshal.GetReference(destination);
        a.StoreUnsafe(ref r);
        b.StoreUnsafe(ref r, 4);
        c.StoreUnsafe(ref r, 8);
        d.StoreUnsafe(ref r, 12);
    }

    private static void AccumulateSingle(ReadOnlySpan<float> x, double shift, ref double sum, ref double sumSq)
    {
        int i = 0, n = x.Length;
        if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            ref float start = ref MemoryMarshal.GetReference(x);
            var s = Vector256.Create(shift);
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector256<double> q0 = default, q1 = default, q2 = default, q3 = default;
            // Four independent accumulator pairs hide the latency of the additions.
            for (; i <= n - 16; i += 16)
            {
                var (a, b) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                var (c, d) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)(i + 8)));
                a -= s; b -= s; c -= s; d -= s;
                s0 += a; s1 += b; s2 += c; s3 += d;
                q0 = Vector256.FusedMultiplyAdd(a, a, q0);
                q1 = Vector256.FusedMultiplyAdd(b, b, q1);
                q2 = Vector256.FusedMultiplyAdd(c, c, q2);
                q3 = Vector256.FusedMultiplyAdd(d, d, q3);
            }
            sum += Vector256.Sum(s0 + s1 + (s2 + s3));
            sumSq += Vector256.Sum(q0 + q1 + (q2 + q3));
        }
        for (; i < n; i++)
        {
            double d = x[i] - shift;
            sum += d;
            sumSq += d * d;
        }
    }

    private static void AccumulateDouble(ReadOnlySpan<double> x, double shift, ref double sum, ref double sumSq)
    {
        int i = 0, n = x.Length;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double start = ref MemoryMarshal.GetReference(x);
            var s = Vector256.Create(shift);
            Vector256<double> s0 = default, s1 = default, q0 = default, q1 = default;
            for (; i <= n - 8; i += 8)
            {
                var a = Vector256.LoadUnsafe(ref start, (nuint)i) - s;
                var b = Vector256.LoadUnsafe(ref start, (nuint)(i + 4)) - s;
                s0 += a; s1 += b;
                q0 = Vector256.FusedMultiplyAdd(a, a, q0);
                q1 = Vector256.FusedMultiplyAdd(b, b, q1);
            }
            sum += Vector256.Sum(s0 + s1);
            sumSq += Vector256.Sum(q0 + q1);
        }
        for (; i < n; i++)
        {
            double d = x[i] - shift;
            sum += d;
            sumSq += d * d;
        }
    }
}
