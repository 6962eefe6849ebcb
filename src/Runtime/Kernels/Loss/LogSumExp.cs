using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Loss;

/// <summary>
/// log Σ exp over the classes of cross_entropy, in two SIMD passes that store nothing: one finds the max, one
/// sums exp(x - max) (and, for label smoothing, Σ w·(x - max)). Rows are contiguous runs of classes; columns
/// are blocks of positions whose classes lie a stride apart, computed a vector of positions at a time.
/// A NaN or +∞ score makes the sum NaN, as in PyTorch's log_softmax.
/// </summary>
internal static class LogSumExp
{
    /// <summary>The max of <paramref name="row"/> and log Σ exp(x - max); with <paramref name="weights"/>, also Σ w·(x - max).</summary>
    internal static (T Max, T LogSum, T Shifted) Row<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> weights, bool smoothing)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = row.Length, width = Vector<T>.Count, i = 0;
        ref T x = ref MemoryMarshal.GetReference(row);
        T max = row[0];
        if (n >= width)
        {
            var vmax = Vector.LoadUnsafe(ref x);
            for (i = width; i <= n - width; i += width) vmax = Vector.Max(vmax, Vector.LoadUnsafe(ref x, (nuint)i));
            for (int k = 0; k < width; k++) max = T.Max(max, vmax[k]);
        }
        for (; i < n; i++) max = T.Max(max, Unsafe.Add(ref x, i));

        var vm = new Vector<T>(max);
        var sum = Vector<T>.Zero;
        var shifted = Vector<T>.Zero;
        ref T w = ref MemoryMarshal.GetReference(weights);
        bool weighted = !weights.IsEmpty;
        for (i = 0; i <= n - width; i += width)
        {
            var v = Vector.LoadUnsafe(ref x, (nuint)i) - vm;
            sum += Exp(v);
            if (smoothing) shifted += weighted ? v * Vector.LoadUnsafe(ref w, (nuint)i) : v;
        }
        T total = Vector.Sum(sum), smooth = Vector.Sum(shifted);
        for (; i < n; i++)
        {
            T v = Unsafe.Add(ref x, i) - max;
            total += T.Exp(v);
            if (smoothing) smooth += weighted ? v * Unsafe.Add(ref w, i) : v;
        }
        return (max, T.Log(total), smooth);
    }

    /// <summary>
    /// For <c>max.Length</c> positions whose class c lies at <c>first + c·classStride</c> (positions contiguous):
    /// each position's max, log Σ exp(x - max) (into <paramref name="logSum"/>) and, with smoothing, Σ w·(x - max).
    /// </summary>
    internal static void Columns<T>(ref T first, long classes, long classStride, ReadOnlySpan<T> weights, bool smoothing, Span<T> max, Span<T> logSum, Span<T> shifted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = max.Length, width = Vector<T>.Count;
        ref T m = ref MemoryMarshal.GetReference(max);
        ref T s = ref MemoryMarshal.GetReference(logSum);
        ref T h = ref MemoryMarshal.GetReference(shifted);
        MemoryMarshal.CreateReadOnlySpan(ref first, n).CopyTo(max);
        for (long c = 1; c < classes; c++)
        {
            ref T x = ref Unsafe.Add(ref first, (nint)(c * classStride));
            int i = 0;
            for (; i <= n - width; i += width)
                Vector.Max(Vector.LoadUnsafe(ref m, (nuint)i), Vector.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref m, (nuint)i);
            for (; i < n; i++) Unsafe.Add(ref m, i) = T.Max(Unsafe.Add(ref m, i), Unsafe.Add(ref x, i));
        }
        logSum.Clear();
        shifted.Clear();
        for (long c = 0; c < classes; c++)
        {
            ref T x = ref Unsafe.Add(ref first, (nint)(c * classStride));
            T wc = weights.IsEmpty ? T.One : weights[(int)c];
            var vw = new Vector<T>(wc);
            int i = 0;
            for (; i <= n - width; i += width)
            {
                var v = Vector.LoadUnsafe(ref x, (nuint)i) - Vector.LoadUnsafe(ref m, (nuint)i);
                (Vector.LoadUnsafe(ref s, (nuint)i) + Exp(v)).StoreUnsafe(ref s, (nuint)i);
                if (smoothing) (Vector.LoadUnsafe(ref h, (nuint)i) + vw * v).StoreUnsafe(ref h, (nuint)i);
            }
            for (; i < n; i++)
            {
                T v = Unsafe.Add(ref x, i) - Unsafe.Add(ref m, i);
                Unsafe.Add(ref s, i) += T.Exp(v);
                if (smoothing) Unsafe.Add(ref h, i) += wc * v;
            }
        }
        for (int i = 0; i < n; i++) Unsafe.Add(ref s, i) = T.Log(Unsafe.Add(ref s, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Exp<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var r = Elementwise.VectorMath.Exp(Unsafe.As<Vector<T>, Vector<float>>(ref v));
            return Unsafe.As<Vector<float>, Vector<T>>(ref r);
        }
        var d = Vector.Exp(Unsafe.As<Vector<T>, Vector<double>>(ref v));
        return Unsafe.As<Vector<double>, Vector<T>>(ref d);
    }
}
