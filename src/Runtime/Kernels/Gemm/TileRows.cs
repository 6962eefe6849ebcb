namespace Kiln.Kernels.Gemm;

/// <summary>
/// A number of rows of C (or of output columns in a convolution tile, or of hidden units in an LSTM tile), as a type: a micro-kernel written once over
/// <c>TRows</c> is compiled for each count, its unused accumulators and FMAs folded away. The kernels run a shorter
/// variant on edge tiles, so that an m not divisible by MR costs what it computes.
/// </summary>
internal interface ITileRows
{
    /// <summary>The number of rows.</summary>
    static abstract int Count { get; }
}

/// <summary>One row.</summary>
internal readonly struct OneRow : ITileRows
{
    public static int Count => 1;
}

/// <summary>Two rows.</summary>
internal readonly struct TwoRows : ITileRows
{
    public static int Count => 2;
}

/// <summary>Four rows.</summary>
internal readonly struct FourRows : ITileRows
{
    public static int Count => 4;
}

/// <summary>Three rows.</summary>
internal readonly struct ThreeRows : ITileRows
{
    public static int Count => 3;
}

/// <summary>Six rows.</summary>
internal readonly struct SixRows : ITileRows
{
    public static int Count => 6;
}

/// <summary>Eight rows.</summary>
internal readonly struct EightRows : ITileRows
{
    public static int Count => 8;
}

/// <summary>Ten rows.</summary>
internal readonly struct TenRows : ITileRows
{
    public static int Count => 10;
}

/// <summary>Twelve rows.</summary>
internal readonly struct TwelveRows : ITileRows
{
    public static int Count => 12;
}
