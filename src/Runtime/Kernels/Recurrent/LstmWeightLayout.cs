using System.Numerics;

namespace Kiln.Kernels.Recurrent;

/// <summary>
/// The layout <see cref="LstmGateTile"/> reads an LSTM's weights in: hidden units in blocks of
/// <see cref="LstmGateTile.BlockUnits"/>, and within a block, for each column of the weight (an element of h or x), the
/// four gate rows (i, f, g, o) of each of the block's units, next to each other — so a tile of consecutive units reads
/// 4·units consecutive weights per element. A last, partial block is padded with zeros.
/// </summary>
internal static unsafe class LstmWeightLayout
{
    /// <summary>
    /// A [4H, columns] weight in PyTorch's gate order (rows i, then f, g, o, each H long) in the block layout, in an array
    /// on the pinned heap (its address is fixed for the kernels).
    /// </summary>
    internal static T[] Pack<T>(Tensor weight, int hidden) where T : unmanaged
    {
        int columns = (int)weight.shape[1];
        var source = weight.Contiguous().Span<T>();
        var packed = GC.AllocateArray<T>(Blocks(hidden) * columns * LstmGateTile.BlockRows, pinned: true);
        for (int u = 0; u < hidden; u++)
        {
            for (int gate = 0; gate < 4; gate++)
            {
                var row = source.Slice((gate * hidden + u) * columns, columns);
                int at = Offset(u, columns) + gate;
                for (int k = 0; k < columns; k++) packed[at + k * LstmGateTile.BlockRows] = row[k];
            }
        }
        return packed;
    }

    /// <summary>b_ih + b_hh in the layout of one column (4 gates per unit, blocks padded), pinned; zeros for no bias.</summary>
    internal static T[] Bias<T>(ReadOnlySpan<T> biasIh, ReadOnlySpan<T> biasHh, int hidden) where T : unmanaged, INumberBase<T>
    {
        var combined = GC.AllocateArray<T>(Blocks(hidden) * LstmGateTile.BlockRows, pinned: true);
        if (biasIh.IsEmpty) return combined;
        for (int u = 0; u < hidden; u++)
        {
            for (int gate = 0; gate < 4; gate++)
                combined[Offset(u, 1) + gate] = biasIh[gate * hidden + u] + biasHh[gate * hidden + u];
        }
        return combined;
    }

    /// <summary>Where unit <paramref name="unit"/>'s gate i for column 0 lies in a weight of <paramref name="columns"/> columns.</summary>
    internal static int Offset(int unit, int columns) =>
        unit / LstmGateTile.BlockUnits * columns * LstmGateTile.BlockRows + unit % LstmGateTile.BlockUnits * 4;

    /// <summary>
    /// Units [from, to) as tiles that stay within blocks: (first unit, count) with counts of 6 (where
    /// <paramref name="maxUnits"/> allows), 3, 2 or 1 — four left in a block run as two pairs, not as three and a lone
    /// unit whose four accumulators could not hide the FMA latency.
    /// </summary>
    internal static List<(int Unit, int Count)> Tiles(int from, int to, int maxUnits)
    {
        var tiles = new List<(int, int)>();
        for (int u = from; u < to;)
        {
            int left = Math.Min(LstmGateTile.BlockUnits - u % LstmGateTile.BlockUnits, to - u);
            int take = left >= 6 && maxUnits >= 6 ? 6 : left == 4 ? 2 : Math.Min(left, 3);
            tiles.Add((u, take));
            u += take;
        }
        return tiles;
    }

    private static int Blocks(int hidden) => (hidden + LstmGateTile.BlockUnits - 1) / LstmGateTile.BlockUnits;
}
