namespace Kiln.Kernels.Elementwise;

/// <summary>
/// Scalar special functions in double precision that .NET does not provide accurately: erf and erfc
/// (a port of fdlibm's s_erf.c), and log1p/expm1 that keep their relative accuracy near zero
/// (.NET's <c>double.LogP1</c> and <c>double.ExpM1</c> compute <c>log(1 + x)</c> and <c>exp(x) - 1</c> directly).
/// </summary>
/// <remarks>
/// erf/erfc: Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved. Developed at SunPro, a Sun
/// Microsystems, Inc. business. Permission to use, copy, modify, and distribute this software is freely
/// granted, provided that this notice is preserved.
/// </remarks>
internal static class SpecialFunctions
{
    private const double Erx = 8.45062911510467529297e-01;
    private const double Efx = 1.28379167095512586316e-01;

    // erf on [0, 0.84375]: x + x·pp(x²)/qq(x²).
    private const double Pp0 = 1.28379167095512558561e-01, Pp1 = -3.25042107247001499370e-01, Pp2 = -2.84817495755985104766e-02,
        Pp3 = -5.77027029648944159157e-03, Pp4 = -2.37630166566501626084e-05;
    private const double Qq1 = 3.97917223959155352819e-01, Qq2 = 6.50222499887672944485e-02, Qq3 = 5.08130628187576562776e-03,
        Qq4 = 1.32494738004321644526e-04, Qq5 = -3.96022827877536812320e-06;

    // erf on [0.84375, 1.25]: erx + pa(s)/qa(s), s = |x| - 1.
    private const double Pa0 = -2.36211856075265944077e-03, Pa1 = 4.14856118683748331666e-01, Pa2 = -3.72207876035701323847e-01,
        Pa3 = 3.18346619901161753674e-01, Pa4 = -1.10894694282396677476e-01, Pa5 = 3.54783043256182359371e-02, Pa6 = -2.16637559486879084300e-03;
    private const double Qa1 = 1.06420880400844228286e-01, Qa2 = 5.40397917702171048937e-01, Qa3 = 7.18286544141962662868e-02,
        Qa4 = 1.26171219808761642112e-01, Qa5 = 1.36370839120290507362e-02, Qa6 = 1.19844998467991074170e-02;

    // erfc on [1.25, 1/0.35]: exp(-x² - 0.5625 + ra(s)/sa(s)) / x, s = 1/x².
    private const double Ra0 = -9.86494403484714822705e-03, Ra1 = -6.93858572707181764372e-01, Ra2 = -1.05586262253232909814e+01,
        Ra3 = -6.23753324503260060396e+01, Ra4 = -1.62396669462573470355e+02, Ra5 = -1.84605092906711035994e+02,
        Ra6 = -8.12874355063065934246e+01, Ra7 = -9.81432934416914548592e+00;
    private const double Sa1 = 1.96512716674392571292e+01, Sa2 = 1.37657754143519042600e+02, Sa3 = 4.34565877475229228821e+02,
        Sa4 = 6.45387271733267880336e+02, Sa5 = 4.29008140027567833386e+02, Sa6 = 1.08635005541779435134e+02,
        Sa7 = 6.57024977031928170135e+00, Sa8 = -6.04244152148580987438e-02;

    // erfc on [1/0.35, 28]: as above with rb/sb.
    private const double Rb0 = -9.86494292470009928597e-03, Rb1 = -7.99283237680523006574e-01, Rb2 = -1.77579549177547519889e+01,
        Rb3 = -1.60636384855821916062e+02, Rb4 = -6.37566443368389627722e+02, Rb5 = -1.02509513161107724954e+03, Rb6 = -4.83519191608651397019e+02;
    private const double Sb1 = 3.03380607434824582924e+01, Sb2 = 3.25792512996573918826e+02, Sb3 = 1.53672958608443695994e+03,
        Sb4 = 3.19985821950859553908e+03, Sb5 = 2.55305040643316442583e+03, Sb6 = 4.74528541206955367215e+02, Sb7 = -2.24409524465858183362e+01;

    /// <summary>The error function.</summary>
    internal static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax < 0.84375)
        {
            if (ax < 3.7252902984e-09) return x + Efx * x;
            return x + x * SmallRatio(x * x);
        }
        if (ax < 1.25)
        {
            double r = Erx + MidRatio(ax - 1);
            return x >= 0 ? r : -r;
        }
        if (ax >= 6) return x >= 0 ? 1 : -1;
        double tail = Tail(ax);
        return x >= 0 ? 1 - tail : tail - 1;
    }

    /// <summary>The complementary error function <c>1 - erf(x)</c>, accurate where it is tiny.</summary>
    internal static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax < 0.84375)
        {
            if (ax < 1.3877787807814457e-17) return 1 - x;
            double y = SmallRatio(x * x);
            if (x < 0.25) return 1 - (x + x * y);
            return 0.5 - (x * y + (x - 0.5));
        }
        if (ax < 1.25)
        {
            double pq = MidRatio(ax - 1);
            return x >= 0 ? 1 - Erx - pq : 1 + (Erx + pq);
        }
        if (ax < 28)
        {
            if (x < 0 && ax >= 6) return 2;
            double tail = Tail(ax);
            return x > 0 ? tail : 2 - tail;
        }
        return x > 0 ? 0 : 2;
    }

    private static double SmallRatio(double z) =>
        (Pp0 + z * (Pp1 + z * (Pp2 + z * (Pp3 + z * Pp4)))) / (1 + z * (Qq1 + z * (Qq2 + z * (Qq3 + z * (Qq4 + z * Qq5)))));

    private static double MidRatio(double s) =>
        (Pa0 + s * (Pa1 + s * (Pa2 + s * (Pa3 + s * (Pa4 + s * (Pa5 + s * Pa6)))))) /
        (1 + s * (Qa1 + s * (Qa2 + s * (Qa3 + s * (Qa4 + s * (Qa5 + s * Qa6))))));

    /// <summary>erfc(ax) for 1.25 ≤ ax &lt; 28.</summary>
    private static double Tail(double ax)
    {
        double s = 1 / (ax * ax), r, q;
        if (ax < 1 / 0.35)
        {
            r = Ra0 + s * (Ra1 + s * (Ra2 + s * (Ra3 + s * (Ra4 + s * (Ra5 + s * (Ra6 + s * Ra7))))));
            q = 1 + s * (Sa1 + s * (Sa2 + s * (Sa3 + s * (Sa4 + s * (Sa5 + s * (Sa6 + s * (Sa7 + s * Sa8)))))));
        }
        else
        {
            r = Rb0 + s * (Rb1 + s * (Rb2 + s * (Rb3 + s * (Rb4 + s * (Rb5 + s * Rb6)))));
            q = 1 + s * (Sb1 + s * (Sb2 + s * (Sb3 + s * (Sb4 + s * (Sb5 + s * (Sb6 + s * Sb7))))));
        }
        // z is ax with the low 32 bits cleared, so z·z is exact and exp(-ax²) keeps its precision.
        double z = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(ax) & unchecked((long)0xFFFFFFFF00000000UL));
        return Math.Exp(-z * z - 0.5625) * Math.Exp((z - ax) * (z + ax) + r / q) / ax;
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
