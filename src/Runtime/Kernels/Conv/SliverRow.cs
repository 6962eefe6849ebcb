using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Conv;

/// <summary>
/// One row of a packed-B sliver built from two stretches of input with masked vector loads (AVX
/// <c>vmaskmovps</c>/<c>vmaskmovpd</c>, which neither read nor fault on masked-off lanes): for the padding
/// around the image and for slivers that wrap onto the next output row, without a scalar loop.
/// </summary>
internal static unsafe class SliverRow<T> where T : unmanaged
{
    /// <summary>Whether this element type has masked loads here (float and double with AVX).</summary>
    internal static bool IsSupported => Avx.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>
    /// dst[t] for t &lt; <paramref name="width"/> (a multiple of the vector width): a[t] for t in [loA, hiA), b[t] for t
    /// in [loB, hiB), zero elsewhere. The two ranges do not overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write(T* dst, int width, T* a, int loA, int hiA, T* b, int loB, int hiB)
    {
        if (typeof(T) == typeof(float))
        {
            var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            Vector256<int> la = Vector256.Create(loA), ha = Vector256.Create(hiA), lb = Vector256.Create(loB), hb = Vector256.Create(hiB);
            for (int v = 0; v < width; v += 8, lane += Vector256.Create(8))
            {
                var maskA = (Vector256.GreaterThanOrEqual(lane, la) & Vector256.LessThan(lane, ha)).AsSingle();
                var maskB = (Vector256.GreaterThanOrEqual(lane, lb) & Vector256.LessThan(lane, hb)).AsSingle();
                (Avx.MaskLoad((float*)a + v, maskA) | Avx.MaskLoad((float*)b + v, maskB)).Store((float*)dst + v);
            }
        }
        else
        {
            var lane = Vector256.Create(0L, 1, 2, 3);
            Vector256<long> la = Vector256.Create((long)loA), ha = Vector256.Create((long)hiA), lb = Vector256.Create((long)loB), hb = Vector256.Create((long)hiB);
            for (int v = 0; v < width; v += 4, lane += Vector256.Create(4L))
            {
                var maskA = (Vector256.GreaterThanOrEqual(lane, la) & Vector256.LessThan(lane, ha)).AsDouble();
                var maskB = (Vector256.GreaterThanOrEqual(lane, lb) & Vector256.LessThan(lane, hb)).AsDouble();
                (Avx.MaskLoad((double*)a + v, maskA) | Avx.MaskLoad((double*)b + v, maskB)).Store((double*)dst + v);
            }
        }
    }
}
