using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Movement;

/// <summary>
/// Maps an element to an unsigned key whose order is PyTorch's sort order: ascending numbers, every NaN
/// equal and above +infinity, -0 equal to +0. Keys of elements up to 32 bits wide fit in 32 bits.
/// </summary>
internal interface ISortKey<T> where T : unmanaged
{
    /// <summary>The key of <paramref name="value"/>.</summary>
    static abstract ulong Key(T value);

    /// <summary>Whether <paramref name="value"/> is NaN (NaNs are never equal to each other).</summary>
    static abstract bool IsNaN(T value);
}

internal readonly struct F32Key : ISortKey<float>
{
    public static ulong Key(float value) => float.IsNaN(value) ? uint.MaxValue : FloatKeys.Ordered(value == 0 ? 0u : BitConverter.SingleToUInt32Bits(value), 31);
    public static bool IsNaN(float value) => float.IsNaN(value);
}

internal readonly struct F64Key : ISortKey<double>
{
    public static ulong Key(double value) => double.IsNaN(value) ? ulong.MaxValue : FloatKeys.Ordered(value == 0 ? 0ul : BitConverter.DoubleToUInt64Bits(value), 63);
    public static bool IsNaN(double value) => double.IsNaN(value);
}

internal readonly struct F16Key : ISortKey<Half>
{
    public static ulong Key(Half value) => Half.IsNaN(value) ? ushort.MaxValue : FloatKeys.Ordered(value == Half.Zero ? 0u : BitConverter.HalfToUInt16Bits(value), 15);
    public static bool IsNaN(Half value) => Half.IsNaN(value);
}

internal readonly struct BF16Key : ISortKey<BFloat16>
{
    public static ulong Key(BFloat16 value)
    {
        float f = value;
        return float.IsNaN(f) ? ushort.MaxValue : FloatKeys.Ordered(f == 0 ? 0u : value.RawBits, 15);
    }

    public static bool IsNaN(BFloat16 value) => float.IsNaN(value);
}

internal readonly struct I64Key : ISortKey<long>
{
    public static ulong Key(long value) => (ulong)value ^ (1ul << 63);
    public static bool IsNaN(long value) => false;
}

internal readonly struct I32Key : ISortKey<int>
{
    public static ulong Key(int value) => (uint)value ^ (1u << 31);
    public static bool IsNaN(int value) => false;
}

internal readonly struct I16Key : ISortKey<short>
{
    public static ulong Key(short value) => (ushort)value ^ (1u << 15);
    public static bool IsNaN(short value) => false;
}

internal readonly struct I8Key : ISortKey<sbyte>
{
    public static ulong Key(sbyte value) => (byte)value ^ (1u << 7);
    public static bool IsNaN(sbyte value) => false;
}

/// <summary>uint8, and bool (stored as one byte holding 0 or 1).</summary>
internal readonly struct U8Key : ISortKey<byte>
{
    public static ulong Key(byte value) => value;
    public static bool IsNaN(byte value) => false;
}

internal static class FloatKeys
{
    /// <summary>
    /// IEEE bits made to sort as unsigned integers: negatives flipped whole, positives with the sign bit set
    /// (without a branch, as signs of real data are unpredictable).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ordered(ulong bits, int signBit)
    {
        ulong negative = 0 - (bits >> signBit & 1);
        return (bits ^ (negative | 1ul << signBit)) & ((2ul << signBit) - 1);
    }
}

/// <summary>
/// An element's key with its index in the row, compared key first, then index: all entries differ, so any
/// sort of them is stable and any selection exact.
/// </summary>
internal interface ISortEntry<TSelf> : IComparable<TSelf> where TSelf : unmanaged, ISortEntry<TSelf>
{
    /// <summary>The mask that reverses the order of keys (for descending sorts): the key width's all-ones.</summary>
    static abstract ulong DescendingMask { get; }

    /// <summary>How many bytes of <see cref="Key"/> can differ (the radix sort's passes).</summary>
    static abstract int KeyBytes { get; }

    /// <summary>An entry for <paramref name="key"/> at <paramref name="index"/>.</summary>
    static abstract TSelf Make(ulong key, int index);

    /// <summary>The key.</summary>
    ulong Key { get; }

    /// <summary>The element's index in its row.</summary>
    int Index { get; }
}

/// <summary>A 32-bit key and a 32-bit index packed in one ulong, compared as one integer.</summary>
internal readonly struct PackedEntry(ulong bits) : ISortEntry<PackedEntry>
{
    public static ulong DescendingMask => uint.MaxValue;
    public static int KeyBytes => 4;
    public static PackedEntry Make(ulong key, int index) => new(key << 32 | (uint)index);
    public ulong Key => bits >> 32;
    public int Index => (int)(uint)bits;
    public int CompareTo(PackedEntry other) => bits.CompareTo(other.Bits);
    private ulong Bits => bits;
}

/// <summary>A 64-bit key (int64, float64) with its index.</summary>
internal readonly struct WideEntry(ulong key, int index) : ISortEntry<WideEntry>
{
    public static ulong DescendingMask => ulong.MaxValue;
    public static int KeyBytes => 8;
    public static WideEntry Make(ulong key, int index) => new(key, index);
    public ulong Key => key;
    public int Index => index;
    public int CompareTo(WideEntry other) => key != other.Key ? key.CompareTo(other.Key) : index.CompareTo(other.Index);
}
