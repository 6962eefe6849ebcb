namespace Kiln.Kernels.Elementwise;

/// <summary>
/// Scalar special functions in double precision that .NET does not provide accurately: erf and erfc,
/// and log1p/expm1 that keep their relative accuracy near zero (.NET's <c>double.LogP1</c> and
/// <c>double.ExpM1</c> compute <c>log(1 + x)</c> and <c>exp(x) - 1</c> directly).
/// </summary>
internal static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.5641895835477563;

    // Below this |x| erf comes from its series; above, erfc comes from its continued fraction. Both need
    // a few dozen terms here and lose at most a few ulps.
    private const double SeriesLimit = 2.5;

    /// <summary>The error function.</summary>
    internal static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax < SeriesLimit) return ErfSeries(x);
        return Math.CopySign(1 - ErfcFraction(ax), x);
    }

    /// <summary>The complementary error function <c>1 - erf(x)</c>, accurate where it is tiny.</summary>
    internal static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x >= SeriesLimit) return ErfcFraction(x);
        if (x <= -SeriesLimit) return 2 - ErfcFraction(-x);
        return 1 - ErfSeries(x);
    }

    /// <summary>
    /// erf(x) = 2/√π · exp(-x²) · Σ 2ⁿ x²ⁿ⁺¹ / (1·3·5···(2n+1)): every term is positive, so nothing cancels.
    /// </summary>
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (Math.Abs(term) <= 1e-17 * Math.Abs(sum)) break;
        }
        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }

    /// <summary>
    /// erfc(x) for x ≥ 2.5 from its continued fraction exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
    /// evaluated by the modified Lentz method.
    /// </summary>
    private static double ErfcFraction(double x)
    {
        if (x > 27) return 0; // erfc(27) < 1e-318
        const double Tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++)
        {
            double a = n * 0.5;
            d = x + a * d;
            d = Math.Abs(d) < Tiny ? 1 / Tiny : 1 / d;
            c = x + a / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return OneOverSqrtPi * Math.Exp(-x * x) / f;
    }

    /// <summary><c>log(1 + x)</c>, accurate for tiny x (the rounding error of 1 + x is divided back out).</summary>
    internal static double Log1p(double x)
    {
        double u = 1 + x;
        if (u == 1) return x;
        if (double.IsPositiveInfinity(u)) return u;
        return Math.Log(u) * (x / (u - 1));
    }

    /// <summary><c>exp(x) - 1</c>, accurate for tiny x (Kahan's correction).</summary>
    internal static double Expm1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        if (um1 == -1 || double.IsPositiveInfinity(u)) return um1;
        return um1 * x / Math.Log(u);
    }
}
