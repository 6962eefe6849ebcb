using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Norm;

/// <summary>
/// The writing pass of the normalisation kernels: y = x·scale + shift over a contiguous row, optionally
/// followed by an elementwise weight and bias, with SIMD.
/// </summary>
internal static class AffineRows
{
    /// <summary>y = x·<paramref name="scale"/> + <paramref name="shift"/>.</summary>
    internal static void ScaleShift<T>(ReadOnlySpan<T> x, Span<T> y, T scale, T shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            ref T src = ref MemoryMarshal.GetReference(x);
            ref T dst = ref MemoryMarshal.GetReference(y);
            var a = Vector256.Create(scale);
            var b = Vector256.Create(shift);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                (Vector256.LoadUnsafe(ref src, (nuint)i) * a + b).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++)
            y[i] = x[i] * scale + shift;
    }

    /// <summary>
    /// y = (x·<paramref name="scale"/> + <paramref name="shift"/>)·weight + bias, where an empty
    /// <paramref name="weight"/> means 1 and an empty <paramref name="bias"/> means 0.
    /// </summary>
    internal static void ScaleShiftAffine<T>(ReadOnlySpan<T> x, Span<T> y, T scale, T shift, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weight.IsEmpty && bias.IsEmpty)
        {
            ScaleShift(x, y, scale, shift);
            return;
        }
        bool hasWeight = !weight.IsEmpty, hasBias = !bias.IsEmpty;
        int i = 0, n = x.Length;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            ref T src = ref MemoryMarshal.GetReference(x);
            ref T dst = ref MemoryMarshal.GetReference(y);
            ref T w = ref MemoryMarshal.GetReference(weight);
            ref T c = ref MemoryMarshal.GetReference(bias);
            var a = Vector256.Create(scale);
            var b = Vector256.Create(shift);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i) * a + b;
                if (hasWeight) v *= Vector256.LoadUnsafe(ref w, (nuint)i);
                if (hasBias) v += Vector256.LoadUnsafe(ref c, (nuint)i);
                v.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            T v = x[i] * scale + shift;
            if (hasWeight) v *= weight[i];
            if (hasBias) v += bias[i];
            y[i] = v;
        }
    }

    /// <summary>y = x·scale + shift with a scale and shift per element (a channel's coefficients repeated over a row).</summary>
    internal static void ScaleShift<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            ref T src = ref MemoryMarshal.GetReference(x);
            ref T dst = ref MemoryMarshal.GetReference(y);
            ref T a = ref MemoryMarshal.GetReference(scale);
            ref T b = ref MemoryMarshal.GetReference(shift);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                (Vector256.LoadUnsafe(ref src, (nuint)i) * Vector256.LoadUnsafe(ref a, (nuint)i) + Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++)
            y[i] = x[i] * scale[i] + shift[i];
    }
}
