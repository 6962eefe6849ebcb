using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Reductions;

/// <summary>
/// A running sum kept in three levels (like PyTorch's cascade sum): elements go into a small partial
/// that is moved up every <see cref="Block"/> additions, so the rounding error grows with the block
/// size plus the number of blocks rather than with N. It accumulates in the reduction's own type
/// (float for float32), so overflow and rounding behave as PyTorch's do.
/// </summary>
internal struct Cascade<TAcc> where TAcc : unmanaged, INumberBase<TAcc>
{
    /// <summary>How many values a level takes before it is moved up.</summary>
    internal const int Block = 1024;

    private TAcc level0, level1, level2;
    private int count0, count1;

    /// <summary>The sum so far.</summary>
    internal readonly TAcc Total => level2 + level1 + level0;

    /// <summary>Adds one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(TAcc x)
    {
        level0 += x;
        if (++count0 == Block)
        {
            AddPartial(level0);
            level0 = TAcc.Zero;
            count0 = 0;
        }
    }

    /// <summary>Adds the (already accurate) sum of up to <see cref="Block"/> values.</summary>
    internal void AddPartial(TAcc partial)
    {
        level1 += partial;
        if (++count1 == Block)
        {
            level2 += level1;
            level1 = TAcc.Zero;
            count1 = 0;
        }
    }

    /// <summary>Adds the sum kept by another cascade.</summary>
    internal void Merge(in Cascade<TAcc> other) => level2 += other.Total;
}
