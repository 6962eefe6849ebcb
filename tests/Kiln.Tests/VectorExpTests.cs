using System.Numerics;
using Kiln.Kernels.Elementwise;

namespace Kiln.Tests;

/// <summary>
/// The float32 vector exp behind sigmoid, tanh, SiLU, GELU's tanh form, softplus and log-sum-exp: within 2 ulp of the
/// correctly rounded e^x over the whole range (subnormal results within 2 subnormal steps), 0 and infinity beyond it,
/// and NaN for NaN.
/// </summary>
public sealed class VectorExpTests
{
    [Fact]
    public void Is_within_two_ulp_everywhere()
    {
        int width = Vector<float>.Count, worst = 0;
        float worstAt = 0;
        var xs = new float[width];
        var results = new float[width];
        // Every 97th float32 from -104 to 89 (about 11 million values), then the edges of the range.
        uint start = BitConverter.SingleToUInt32Bits(-104f), end = BitConverter.SingleToUInt32Bits(89f);
        var values = new List<float>();
        for (uint bits = BitConverter.SingleToUInt32Bits(-0f); bits <= start; bits += 97) values.Add(BitConverter.UInt32BitsToSingle(bits));
        for (uint bits = 0; bits <= end; bits += 97) values.Add(BitConverter.UInt32BitsToSingle(bits));
        values.AddRange([88.7228f, 88.72284f, 88.7229f, -87.3365f, -103.27893f, -103.9721f, 0.34657359f, -0.34657359f, 1e-30f, -1e-30f]);
        for (int i = 0; i < values.Count; i += width)
        {
            int n = Math.Min(width, values.Count - i);
            Array.Clear(xs);
            values.CopyTo(i, xs, 0, n);
            VectorMath.Exp(new Vector<float>(xs)).CopyTo(results);
            for (int j = 0; j < n; j++)
            {
                float expected = (float)Math.Exp(xs[j]);
                int ulps = Math.Abs(BitConverter.SingleToInt32Bits(results[j]) - BitConverter.SingleToInt32Bits(expected));
                if (ulps > worst) (worst, worstAt) = (ulps, xs[j]);
            }
        }
        Assert.True(worst <= 2, $"exp is {worst} ulp off at {worstAt:R}");
    }

    [Theory]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(89f, float.PositiveInfinity)]
    [InlineData(1000f, float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(-104f, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(0f, 1f)]
    [InlineData(float.NaN, float.NaN)]
    public void Edges(float x, float expected)
    {
        float actual = VectorMath.Exp(new Vector<float>(x))[0];
        Assert.Equal(expected, actual);
    }
}
