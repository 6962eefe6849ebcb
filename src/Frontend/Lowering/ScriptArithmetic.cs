using System.Numerics;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// C#'s built-in operators and numeric conversions on script-time values (boxed ints, floats, bools, strings),
/// with C#'s rules: Roslyn has already inserted the implicit conversions, so both operands of an arithmetic
/// operator have the same type; integer division truncates; casts from floating point truncate.
/// </summary>
internal static class ScriptArithmetic
{
    /// <summary>Applies built-in binary operator <paramref name="kind"/>.</summary>
    /// <exception cref="NotSupportedException">The operator does not apply to these operand types.</exception>
    public static object Binary(BinaryOperatorKind kind, object? left, object? right, bool isChecked)
    {
        if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals && (left is null || right is null || left is string || left is Enum))
            return Equals(left, right) == (kind == BinaryOperatorKind.Equals);
        if (kind == BinaryOperatorKind.Add && (left is string || right is string)) return string.Concat(left, right);
        if (kind is BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift && right is int shift)
        {
            return left switch
            {
                int a => Shift(kind, a, shift),
                long a => Shift(kind, a, shift),
                uint a => Shift(kind, a, shift),
                ulong a => Shift(kind, a, shift),
                _ => throw Unsupported(kind, left, right),
            };
        }
        return (left, right) switch
        {
            (bool a, bool b) => Logic(kind, a, b) ?? throw Unsupported(kind, left, right),
            (int a, int b) => Integer(kind, a, b, isChecked),
            (long a, long b) => Integer(kind, a, b, isChecked),
            (uint a, uint b) => Integer(kind, a, b, isChecked),
            (ulong a, ulong b) => Integer(kind, a, b, isChecked),
            (float a, float b) => Number(kind, a, b, isChecked) ?? throw Unsupported(kind, left, right),
            (double a, double b) => Number(kind, a, b, isChecked) ?? throw Unsupported(kind, left, right),
            (decimal a, decimal b) => Number(kind, a, b, isChecked) ?? throw Unsupported(kind, left, right),
            _ => throw Unsupported(kind, left, right),
        };
    }

    /// <summary>Applies built-in unary operator <paramref name="kind"/>.</summary>
    /// <exception cref="NotSupportedException">The operator does not apply to this operand type.</exception>
    public static object Unary(UnaryOperatorKind kind, object? operand, bool isChecked) => (kind, operand) switch
    {
        (UnaryOperatorKind.Not, bool b) => !b,
        (UnaryOperatorKind.Plus, not null) => operand,
        (UnaryOperatorKind.Hat, int i) => new Index(i, fromEnd: true),
        (UnaryOperatorKind.Minus, int i) => isChecked ? checked(-i) : -i,
        (UnaryOperatorKind.Minus, long l) => isChecked ? checked(-l) : -l,
        (UnaryOperatorKind.Minus, float f) => -f,
        (UnaryOperatorKind.Minus, double d) => -d,
        (UnaryOperatorKind.Minus, decimal m) => -m,
        (UnaryOperatorKind.BitwiseNegation, int i) => ~i,
        (UnaryOperatorKind.BitwiseNegation, long l) => ~l,
        _ => throw new NotSupportedException($"operator {kind} does not apply to {Describe(operand)}"),
    };

    /// <summary>Converts a numeric (or char, or enum) value to <paramref name="target"/> with C#'s cast rules.</summary>
    /// <exception cref="NotSupportedException">The value or the target is not numeric.</exception>
    /// <exception cref="OverflowException">A checked conversion overflows.</exception>
    public static object Convert(object value, Type target, bool isChecked)
    {
        if (target.IsEnum) return Enum.ToObject(target, Widen(value));
        if (value is Enum e) value = System.Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), System.Globalization.CultureInfo.InvariantCulture);
        return Type.GetTypeCode(target) switch
        {
            TypeCode.SByte => To<sbyte>(value, isChecked),
            TypeCode.Byte => To<byte>(value, isChecked),
            TypeCode.Int16 => To<short>(value, isChecked),
            TypeCode.UInt16 => To<ushort>(value, isChecked),
            TypeCode.Char => (char)To<ushort>(value, isChecked),
            TypeCode.Int32 => To<int>(value, isChecked),
            TypeCode.UInt32 => To<uint>(value, isChecked),
            TypeCode.Int64 => To<long>(value, isChecked),
            TypeCode.UInt64 => To<ulong>(value, isChecked),
            TypeCode.Single => To<float>(value, isChecked),
            TypeCode.Double => To<double>(value, isChecked),
            TypeCode.Decimal => To<decimal>(value, isChecked),
            _ => throw new NotSupportedException($"cannot convert {Describe(value)} to {target.Name}"),
        };
    }

    /// <summary>A value and its type for messages: <c>3 (Int32)</c>.</summary>
    public static string Describe(object? value) => value is null ? "null" : $"{value} ({value.GetType().Name})";

    private static T To<T>(object value, bool isChecked) where T : INumberBase<T> => value switch
    {
        float or double or decimal => FromFloating<T>(value, isChecked),
        ulong u => isChecked ? T.CreateChecked(u) : T.CreateTruncating(u),
        char c => T.CreateTruncating(c),
        _ => isChecked ? T.CreateChecked(Widen(value)) : T.CreateTruncating(Widen(value)),
    };

    private static T FromFloating<T>(object value, bool isChecked) where T : INumberBase<T>
    {
        if (value is decimal m) return isChecked ? T.CreateChecked(m) : T.CreateTruncating(m);
        double d = value is float f ? f : (double)value;
        // float -> double -> float is exact, so float sources keep their value.
        if (typeof(T) == typeof(float)) return T.CreateTruncating(value is float same ? same : (float)d);
        if (!IsInteger<T>()) return T.CreateTruncating(d);
        return isChecked ? T.CreateChecked(Math.Truncate(d)) : T.CreateTruncating(d);
    }

    private static bool IsInteger<T>() => typeof(T) != typeof(double) && typeof(T) != typeof(decimal);

    private static long Widen(object value) => value switch
    {
        sbyte v => v,
        byte v => v,
        short v => v,
        ushort v => v,
        char v => v,
        int v => v,
        uint v => v,
        long v => v,
        Enum e => System.Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"cannot convert {Describe(value)} to a number"),
    };

    private static object Integer<T>(BinaryOperatorKind kind, T a, T b, bool isChecked) where T : IBinaryInteger<T> =>
        Number(kind, a, b, isChecked) ?? kind switch
        {
            BinaryOperatorKind.And => a & b,
            BinaryOperatorKind.Or => a | b,
            BinaryOperatorKind.ExclusiveOr => a ^ b,
            _ => throw Unsupported(kind, a, b),
        };

    private static object? Number<T>(BinaryOperatorKind kind, T a, T b, bool isChecked) where T : INumber<T> => kind switch
    {
        BinaryOperatorKind.Add => isChecked ? checked(a + b) : a + b,
        BinaryOperatorKind.Subtract => isChecked ? checked(a - b) : a - b,
        BinaryOperatorKind.Multiply => isChecked ? checked(a * b) : a * b,
        BinaryOperatorKind.Divide => a / b,
        BinaryOperatorKind.Remainder => a % b,
        BinaryOperatorKind.Equals => a == b,
        BinaryOperatorKind.NotEquals => a != b,
        BinaryOperatorKind.LessThan => a < b,
        BinaryOperatorKind.LessThanOrEqual => a <= b,
        BinaryOperatorKind.GreaterThan => a > b,
        BinaryOperatorKind.GreaterThanOrEqual => a >= b,
        _ => null,
    };

    private static object Shift<T>(BinaryOperatorKind kind, T a, int b) where T : IBinaryInteger<T> => kind switch
    {
        BinaryOperatorKind.LeftShift => a << b,
        BinaryOperatorKind.RightShift => a >> b,
        _ => a >>> b,
    };

    private static bool? Logic(BinaryOperatorKind kind, bool a, bool b) => kind switch
    {
        BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd => a & b,
        BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr => a | b,
        BinaryOperatorKind.ExclusiveOr or BinaryOperatorKind.NotEquals => a ^ b,
        BinaryOperatorKind.Equals => a == b,
        _ => null,
    };

    private static NotSupportedException Unsupported(BinaryOperatorKind kind, object? left, object? right) =>
        new($"operator {kind} does not apply to {Describe(left)} and {Describe(right)}");
}
