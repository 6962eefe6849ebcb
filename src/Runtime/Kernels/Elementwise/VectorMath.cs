using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Elementwise;

/// <summary>A float32 function evaluated one SIMD vector at a time.</summary>
internal interface IVectorKernel
{
    Vector<float> Invoke(Vector<float> x);
}

/// <summary>
/// Vectorised float32 kernels for functions TensorPrimitives lacks or computes with too little relative
/// accuracy near zero (tanh), each checked against PyTorch within float32 tolerance (1.3e-6 relative).
/// </summary>
internal static class VectorMath
{
    /// <summary>
    /// Applies <paramref name="kernel"/> to every element of <paramref name="x"/> (float32 or float64 spans; a
    /// float64 span is evaluated element by element with <paramref name="scalar"/>).
    /// </summary>
    internal static void Map<T, TKernel, TOp>(ReadOnlySpan<T> x, Span<T> d, TKernel kernel, TOp scalar)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IVectorKernel where TOp : struct, IFloatUnaryOp
    {
        if (typeof(T) != typeof(float))
        {
            for (int j = 0; j < x.Length; j++) d[j] = scalar.Apply(x[j]);
            return;
        }
        var xs = MemoryMarshal.Cast<T, float>(x);
        var ds = MemoryMarshal.Cast<T, float>(d);
        int width = Vector<float>.Count, n = xs.Length, i = 0;
        for (; i <= n - width; i += width)
            kernel.Invoke(new Vector<float>(xs[i..])).CopyTo(ds[i..]);
        if (i == n) return;
        // The tail goes through the same vector code, padded, so every element gets the same formula.
        Span<float> buffer = stackalloc float[width];
        buffer.Clear();
        xs[i..].CopyTo(buffer);
        kernel.Invoke(new Vector<float>(buffer)).CopyTo(buffer);
        buffer[..(n - i)].CopyTo(ds[i..]);
    }

    /// <summary>
    /// e^x in float32 arithmetic, within 2 ulp of the true value (.NET's <c>Vector.Exp</c> widens to float64 and is about
    /// three times slower): x = n·ln2 + r with |r| ≤ ln2/2 (ln2 in two parts), e^r by Cephes' degree-7 polynomial, and
    /// 2^n applied as two factors, so results that are subnormal or overflow to infinity come out right. NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Exp(Vector<float> x)
    {
        // Beyond these bounds e^x is 0 or infinite; the clamp keeps n within the two factors' range.
        var xc = Vector.ClampNative(x, new Vector<float>(-104f), new Vector<float>(89f));
        // Adding 1.5·2^23 rounds x·log2(e) to an integer, which the float's low bits then hold.
        var shifted = Vector.FusedMultiplyAdd(xc, new Vector<float>(1.44269504088896341f), new Vector<float>(RoundingShift));
        var n = shifted - new Vector<float>(RoundingShift);
        var r = Vector.FusedMultiplyAdd(n, new Vector<float>(-0.693359375f), xc);
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(2.12194440e-4f), r);
        var p = new Vector<float>(1.9875691500e-4f);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.3981999507e-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(8.3334519073e-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(4.1665795894e-2f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.6666665459e-1f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(5.0000001201e-1f));
        p = Vector.FusedMultiplyAdd(p, r * r, r + Vector<float>.One);
        var k = Vector.AsVectorInt32(shifted) - Vector.AsVectorInt32(new Vector<float>(RoundingShift));
        var half = Vector.ShiftRightArithmetic(k, 1);
        var bias = new Vector<int>(127);
        var scale1 = Vector.AsVectorSingle(Vector.ShiftLeft(half + bias, 23));
        var scale2 = Vector.AsVectorSingle(Vector.ShiftLeft(k - half + bias, 23));
        return Vector.ConditionalSelect(Vector.Equals(x, x), p * scale1 * scale2, x);
    }

    private const float RoundingShift = 12582912f;

    /// <summary>
    /// tanh: an odd Taylor polynomial below |x| = 0.55 (where <c>1 - 2/(e^2x + 1)</c> would cancel) and the
    /// exponential form above; at most about 2 ulp from the true value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Tanh(Vector<float> x)
    {
        var ax = Vector.Abs(x);
        var e = Exp(ax + ax);
        var large = Vector<float>.One - new Vector<float>(2f) / (e + Vector<float>.One);
        large = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -large, large);
        var x2 = x * x;
        var p = new Vector<float>(-443861162f / 1856156927625f);
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(6404582f / 10854718875f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(-929569f / 638512875f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(21844f / 6081075f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(-1382f / 155925f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(62f / 2835f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(-17f / 315f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(2f / 15f));
        p = Vector.FusedMultiplyAdd(p, x2, new Vector<float>(-1f / 3f));
        var small = Vector.FusedMultiplyAdd(p * x2, x, x);
        return Vector.ConditionalSelect(Vector.LessThan(ax, new Vector<float>(0.55f)), small, large);
    }

    /// <summary><c>log(1 + x)</c>, with the rounding error of <c>1 + x</c> divided back out (accurate for tiny x).</summary>
    internal static Vector<float> Log1p(Vector<float> x)
    {
        var u = Vector<float>.One + x;
        var corrected = Vector.Log(u) * (x / (u - Vector<float>.One));
        // u == 1: log1p(x) is x itself; u == inf: the correction would be inf/inf.
        return Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.One), x,
            Vector.ConditionalSelect(Vector.Equals(u, new Vector<float>(float.PositiveInfinity)), u, corrected));
    }
}
