using System.Globalization;
using System.Runtime.CompilerServices;

namespace Kiln;

/// <summary>
/// The bfloat16 number format: the upper 16 bits of an IEEE float32 (8-bit exponent, 7-bit mantissa).
/// Conversions from float round to nearest, ties to even, as PyTorch does; NaN stays NaN.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>
{
    private readonly ushort bits;

    private BFloat16(ushort bits) => this.bits = bits;

    /// <summary>The raw 16 bits.</summary>
    public ushort RawBits => bits;

    /// <summary>Makes a value from its raw 16 bits.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds a float to the nearest bfloat16 (ties to even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static explicit operator BFloat16(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return new BFloat16((ushort)((u >> 16) | 0x40));
        uint rounding = 0x7FFF + ((u >> 16) & 1);
        return new BFloat16((ushort)((u + rounding) >> 16));
    }

    /// <summary>Rounds a double to bfloat16 through float32.</summary>
    public static explicit operator BFloat16(double value) => (BFloat16)(float)value;

    /// <summary>Widens to float exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.bits << 16);

    /// <summary>Widens to double exactly.</summary>
    public static explicit operator double(BFloat16 value) => (float)value;

    /// <inheritdoc/>
    public bool Equals(BFloat16 other) => (float)this == (float)other;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 b && Equals(b);

    /// <inheritdoc/>
    public override int GetHashCode() => ((float)this).GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo(other);

    /// <summary>Equality of the values (NaN is unequal to everything).</summary>
    public static bool operator ==(BFloat16 a, BFloat16 b) => a.Equals(b);

    /// <summary>Inequality of the values.</summary>
    public static bool operator !=(BFloat16 a, BFloat16 b) => !a.Equals(b);

    /// <summary>Less than.</summary>
    public static bool operator <(BFloat16 a, BFloat16 b) => (float)a < (float)b;

    /// <summary>Greater than.</summary>
    public static bool operator >(BFloat16 a, BFloat16 b) => (float)a > (float)b;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(BFloat16 a, BFloat16 b) => (float)a <= (float)b;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(BFloat16 a, BFloat16 b) => (float)a >= (float)b;

    /// <inheritdoc/>
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);
}
