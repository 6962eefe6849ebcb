using System.Numerics;

namespace Kiln.Kernels.Elementwise;

/// <summary><c>a == b</c>.</summary>
internal readonly struct EqOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a == b;
}

/// <summary><c>a != b</c> (true when either is NaN).</summary>
internal readonly struct NeOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a != b;
}

/// <summary><c>a &lt; b</c>.</summary>
internal readonly struct LtOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a < b;
}

/// <summary><c>a &lt;= b</c>.</summary>
internal readonly struct LeOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a <= b;
}

/// <summary><c>a &gt; b</c>.</summary>
internal readonly struct GtOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a > b;
}

/// <summary><c>a &gt;= b</c>.</summary>
internal readonly struct GeOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a >= b;
}

/// <summary>Both nonzero.</summary>
internal readonly struct LogicalAndOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a != T.Zero && b != T.Zero;
}

/// <summary>Either nonzero.</summary>
internal readonly struct LogicalOrOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a != T.Zero || b != T.Zero;
}

/// <summary>Exactly one nonzero.</summary>
internal readonly struct LogicalXorOp : ICompareOp
{
    public bool Apply<T>(T a, T b) where T : unmanaged, INumber<T> => (a != T.Zero) != (b != T.Zero);
}
