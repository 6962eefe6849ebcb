using System.Numerics;

namespace Kiln.Kernels.Elementwise;

/// <summary>
/// Integer arithmetic with C++'s wrapping behaviour where .NET would throw an OverflowException
/// (<c>MinValue / -1</c>); division by zero still throws <see cref="DivideByZeroException"/>, which the
/// binary driver reports as PyTorch's ZeroDivisionError.
/// </summary>
internal static class IntegerMath
{
    /// <summary><c>a / b</c> rounded toward zero, wrapping <c>MinValue / -1</c> to MinValue.</summary>
    internal static T Quotient<T>(T a, T b) where T : INumber<T> => IsMinusOne(b) ? -a : a / b;

    /// <summary><c>a % b</c> with the dividend's sign; 0 for a divisor of -1.</summary>
    internal static T Remainder<T>(T a, T b) where T : INumber<T> => IsMinusOne(b) ? T.Zero : a % b;

    /// <summary>
    /// <c>a ** b</c> by repeated squaring (wrapping); for a negative exponent 1 and -1 keep their magnitude and
    /// every other base gives 0, as in PyTorch.
    /// </summary>
    internal static T Power<T>(T a, T b) where T : INumber<T>
    {
        if (b < T.Zero)
        {
            if (a == T.One) return T.One;
            if (IsMinusOne(a)) return T.IsEvenInteger(b) ? T.One : a;
            return T.Zero;
        }
        T result = T.One, two = T.One + T.One;
        while (b != T.Zero)
        {
            if (!T.IsEvenInteger(b)) result *= a;
            b /= two;
            a *= a;
        }
        return result;
    }

    private static bool IsMinusOne<T>(T v) where T : INumber<T> => T.IsNegative(v) && v == -T.One;
}
