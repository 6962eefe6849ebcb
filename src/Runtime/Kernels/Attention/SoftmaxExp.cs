using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Attention;

/// <summary>
/// e^x for the arguments of a softmax, x = score - max ≤ 0, a vector at a time. Floats use Cephes' expf
/// (a Cody-Waite reduction x = n·ln 2 + r and a degree-6 polynomial, within 2 ulp), several times faster
/// than the general <see cref="Vector256.Exp(Vector256{float})"/>; results below about 2^-126 are flushed to
/// 0, which no softmax weight can notice next to the row's largest weight of 1. Doubles use the general one.
/// Arguments above 88 are out of contract, and a NaN argument may give NaN or 0: callers that can see NaN
/// scores carry it through the row's maximum instead.
/// </summary>
internal static class SoftmaxExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;

    /// <summary>
    /// Arguments are raised to Lowest, where n = -127, whose 2^n has a zero exponent field and so is 0: -inf and
    /// everything below about -87.7 give exactly 0.
    /// </summary>
    private const float Lowest = -88.02f;

    /// <summary>e^x lane by lane for x ≤ 88 (-inf gives 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Exp<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Exp(x.AsSingle()).As<float, T>() : Vector256.Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.MaxNative(x, Vector256.Create(Lowest));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.Create(1.9875691500e-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        // 2^n from its exponent bits (n is a whole number in [-127, 127] here).
        var pow2 = Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();
        return p * pow2;
    }
}
