namespace Kiln.IR;

/// <summary>Python's scalar arithmetic for the primitives' evaluators: floor division, conversions, overflow checks.</summary>
internal static class ScalarMath
{
    public static double ToDouble(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new ArgumentException($"expected an int, float or bool, got {v ?? "none"}"),
    };

    public static long ToLong(string name, object? v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d when double.IsFinite(d) && Math.Abs(d) < 9.2e18 => (long)d,
        _ => throw new ArgumentException($"{name}: {v ?? "none"} cannot be converted to a 64-bit int"),
    };

    public static int Compare(object? a, object? b) =>
        a is long x && b is long y ? x.CompareTo(y) : ToDouble(a).CompareTo(ToDouble(b));

    public static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
    }

    public static long FloorMod(long a, long b)
    {
        long r = a % b;
        return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    }

    /// <summary>Applies an integer operation (written with <c>checked</c>), turning overflow and division by zero into errors that name the primitive.</summary>
    public static long Checked(string name, Func<long, long, long> f, long a, long b)
    {
        try
        {
            return f(a, b);
        }
        catch (DivideByZeroException)
        {
            throw new ArgumentException($"{name}: integer division by zero ({a}, {b})");
        }
        catch (ArithmeticException)
        {
            throw new ArgumentException($"{name}: the result of ({a}, {b}) overflows a 64-bit int");
        }
    }
}
