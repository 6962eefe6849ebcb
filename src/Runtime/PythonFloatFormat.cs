using System.Globalization;
using System.Numerics;

namespace Kiln;

/// <summary>
/// Python's <c>format(x, ".Nf")</c> and <c>format(x, ".Ne")</c> for doubles: the exact binary value is
/// rounded to the requested digits, ties to even. (.NET's own formatting rounds ties away from zero,
/// which prints e.g. 0.03125 as 0.0313 where PyTorch prints 0.0312.)
/// </summary>
internal static class PythonFloatFormat
{
    /// <summary><c>format(value, ".{precision}f")</c>: e.g. <c>-0.5000</c>, or <c>12</c> for precision 0 (no point).</summary>
    internal static string Fixed(double value, int precision)
    {
        if (!double.IsFinite(value)) return NonFinite(value);
        var (num, den) = Exact(Math.Abs(value));
        var scaled = RoundHalfEven(num * BigInteger.Pow(10, precision), den);
        string digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        string text = precision == 0 ? digits : digits[..^precision] + "." + digits[^precision..];
        return double.IsNegative(value) ? "-" + text : text;
    }

    /// <summary><c>format(value, ".{precision}e")</c>: e.g. <c>1.2346e-05</c>, <c>-3.0000e+100</c>.</summary>
    internal static string Scientific(double value, int precision)
    {
        if (!double.IsFinite(value)) return NonFinite(value);
        string sign = double.IsNegative(value) ? "-" : "";
        if (value == 0) return sign + Mantissa(new string('0', precision + 1)) + "e+00";
        var (num, den) = Exact(Math.Abs(value));
        // The decimal exponent k with 10^k <= |value| < 10^(k+1), from an estimate corrected exactly.
        int k = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        while (CompareWithPowerOfTen(num, den, k) < 0) k--;
        while (CompareWithPowerOfTen(num, den, k + 1) >= 0) k++;
        int shift = precision - k;
        var digits = shift >= 0
            ? RoundHalfEven(num * BigInteger.Pow(10, shift), den)
            : RoundHalfEven(num, den * BigInteger.Pow(10, -shift));
        if (digits == BigInteger.Pow(10, precision + 1))
        {
            // Rounding carried into a new digit: 9.99995 -> 1.0000e+01.
            digits /= 10;
            k++;
        }
        string exponent = (k < 0 ? "-" : "+") + Math.Abs(k).ToString("00", CultureInfo.InvariantCulture);
        return sign + Mantissa(digits.ToString(CultureInfo.InvariantCulture)) + "e" + exponent;

        string Mantissa(string d) => precision == 0 ? d : d[..1] + "." + d[1..];
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";

    /// <summary>A finite non-negative double as the exact fraction num / den (den a power of two).</summary>
    private static (BigInteger Num, BigInteger Den) Exact(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponentField = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & ((1L << 52) - 1);
        long mantissa = exponentField == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentField == 0 ? 1 : exponentField) - 1075;
        return exponent >= 0
            ? (new BigInteger(mantissa) << exponent, BigInteger.One)
            : (new BigInteger(mantissa), BigInteger.One << -exponent);
    }

    /// <summary>The sign of num / den - 10^k.</summary>
    private static int CompareWithPowerOfTen(BigInteger num, BigInteger den, int k) => k >= 0
        ? num.CompareTo(den * BigInteger.Pow(10, k))
        : (num * BigInteger.Pow(10, -k)).CompareTo(den);

    private static BigInteger RoundHalfEven(BigInteger num, BigInteger den)
    {
        var quotient = BigInteger.DivRem(num, den, out var remainder);
        int half = (remainder * 2).CompareTo(den);
        return half > 0 || (half == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
    }
}
