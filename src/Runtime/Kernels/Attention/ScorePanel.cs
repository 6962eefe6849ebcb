using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Attention;

/// <summary>
/// One sliver's block of scores, laid out key by key with one lane per query: <c>Panel[key·Width + lane]</c>
/// is the score of query <c>FirstQuery + lane</c> against key <c>FirstKey + key</c>. This is the packed
/// layout of the B operand of the GEMM micro-kernel, so the weights feed the second product as they are.
/// </summary>
internal readonly unsafe struct SliverBlock<T>
    where T : unmanaged
{
    /// <summary>The scores, overwritten with the weights.</summary>
    internal required T* Panel { get; init; }

    /// <summary>Keys (rows) in the block.</summary>
    internal required int Keys { get; init; }

    /// <summary>Lanes per row (the micro-kernel's NR).</summary>
    internal required int Width { get; init; }

    /// <summary>Lanes that are real queries (the rest pad the last sliver).</summary>
    internal required int Lanes { get; init; }

    /// <summary>The query of lane 0 and the key of row 0.</summary>
    internal required (int Query, int Key) First { get; init; }

    /// <summary>The running maximum of each lane's scores.</summary>
    internal required T* Max { get; init; }

    /// <summary>The running sum of each lane's weights.</summary>
    internal required T* Sum { get; init; }

    /// <summary>The lanes' output rows accumulated so far: <c>Acc[d·Width + lane]</c>.</summary>
    internal required T* Acc { get; init; }

    /// <summary>The number of accumulated output rows, and whether they hold values yet.</summary>
    internal required (int Rows, bool Ready) AccState { get; init; }

    /// <summary>The additive mask at (query First.Query, key First.Key), or null.</summary>
    internal required T* Mask { get; init; }

    /// <summary>The mask's element strides between queries and between keys.</summary>
    internal required (nint Query, nint Key) MaskStrides { get; init; }

    /// <summary>Whether a query sees only keys at or before its own position.</summary>
    internal required bool Causal { get; init; }

    /// <summary>The factor the scores are multiplied by.</summary>
    internal required T Scale { get; init; }
}

/// <summary>
/// The online softmax on a <see cref="SliverBlock{T}"/>, vectorised across queries (lanes): each lane's
/// maximum and sum grow key by key with no horizontal reductions. The block's scores are scaled, masked and
/// turned into weights exp(score - max); the lane's running sum and output rows are rescaled by
/// exp(old max - new max). A lane whose keys are all masked so far keeps maximum -inf, sum 0 and weights 0.
/// </summary>
internal static unsafe class ScorePanel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static int W => Vector256<T>.Count;

    /// <summary>Folds the block's scores into the running softmax of its lanes and leaves the weights in the panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Update(in SliverBlock<T> s)
    {
        if (s.Width % W != 0)
        {
            for (int lane = 0; lane < s.Width; lane++)
                UpdateLane(s, lane);
            return;
        }
        for (int g = 0; g < s.Width; g += W)
            UpdateGroup(s, g);
    }

    /// <summary>
    /// Dropout on the block's weights: lane j's weight for key k is kept (times <paramref name="keepScale"/>) when
    /// stream word <c>firstWord + j·laneStride + k</c> is at least <paramref name="threshold"/> = p·2^32.
    /// </summary>
    internal static void Dropout(in SliverBlock<T> s, PhiloxStream stream, long firstWord, long laneStride, ulong threshold, T keepScale, Span<uint> words)
    {
        var draws = words[..s.Keys];
        // Indexed by the comparison rather than branched on: a dropped weight is unpredictable by design.
        T* factors = stackalloc T[2];
        factors[0] = T.Zero;
        factors[1] = keepScale;
        for (int lane = 0; lane < s.Lanes; lane++)
        {
            stream.Words(firstWord + lane * laneStride, draws);
            T* cell = s.Panel + lane;
            for (int k = 0; k < draws.Length; k++, cell += s.Width)
                *cell *= factors[draws[k] >= threshold ? 1 : 0];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateGroup(in SliverBlock<T> s, int g)
    {
        T* panel = s.Panel + g;
        int keys = s.Keys, width = s.Width;
        var scale = Vector256.Create(s.Scale);
        var negativeInfinity = Vector256.Create(T.NegativeInfinity);
        var oldMax = Vector256.Load(s.Max + g);
        var max = oldMax;
        // Under a causal mask, only keys past the group's first query are hidden from some lane.
        bool hidden = s.Causal && s.First.Key + keys - 1 > s.First.Query + g;
        bool scaled = s.Mask is null && !hidden;
        if (scaled)
        {
            // Nothing to mask: pass 1 only finds the maximum (two chains, to hide the latency of max); pass 2
            // scales as it exponentiates.
            var max2 = max;
            int k = 0;
            for (; k + 1 < keys; k += 2)
            {
                max = Vector256.Max(max, Vector256.Load(panel + k * width) * scale);
                max2 = Vector256.Max(max2, Vector256.Load(panel + (k + 1) * width) * scale);
            }
            if (k < keys)
                max = Vector256.Max(max, Vector256.Load(panel + k * width) * scale);
            max = Vector256.Max(max, max2);
        }
        else
        {
            var queries = Vector256.Create(T.CreateTruncating(s.First.Query + g)) + Vector256<T>.Indices;
            for (int k = 0; k < keys; k++)
            {
                T* cell = panel + k * width;
                var x = Vector256.Load(cell) * scale;
                if (s.Mask is not null)
                    x += MaskGroup(s, g, k);
                if (hidden)
                    x = Vector256.ConditionalSelect(Vector256.LessThan(queries, Vector256.Create(T.CreateTruncating(s.First.Key + k))), negativeInfinity, x);
                x.Store(cell);
                max = Vector256.Max(max, x);
            }
        }
        // A lane with every key masked exponentiates against 0, so its weights and rescale factor are 0, not NaN.
        var safeMax = Vector256.ConditionalSelect(Vector256.Equals(max, negativeInfinity), Vector256<T>.Zero, max);
        var factor = scaled ? scale : Vector256<T>.One;
        var sum = Vector256<T>.Zero;
        for (int k = 0; k < keys; k++)
        {
            T* cell = panel + k * width;
            var p = SoftmaxExp.Exp(Vector256.Load(cell) * factor - safeMax);
            p.Store(cell);
            sum += p;
        }
        var alpha = SoftmaxExp.Exp(oldMax - safeMax);
        // A NaN score makes the lane's maximum NaN (IEEE max keeps it), and its sum NaN: the row comes out NaN.
        var newSum = Vector256.Load(s.Sum + g) * alpha + sum;
        Vector256.ConditionalSelect(Vector256.Equals(max, max), newSum, max).Store(s.Sum + g);
        max.Store(s.Max + g);
        if (!s.AccState.Ready) return;
        T* acc = s.Acc + g;
        for (int d = 0; d < s.AccState.Rows; d++, acc += width)
            (Vector256.Load(acc) * alpha).Store(acc);
    }

    /// <summary>The mask values of lanes g .. g + W at row k (0 for padding lanes).</summary>
    private static Vector256<T> MaskGroup(in SliverBlock<T> s, int g, int k)
    {
        T* row = s.Mask + k * s.MaskStrides.Key;
        if (s.MaskStrides.Query == 0)
            return Vector256.Create(*row);
        // A mask laid out key-major (see AttentionKernel) holds a group's lanes side by side.
        if (s.MaskStrides.Query == 1 && g + W <= s.Lanes)
            return Vector256.Load(row + g);
        T* values = stackalloc T[W];
        for (int j = 0; j < W; j++)
            values[j] = g + j < s.Lanes ? row[(g + j) * s.MaskStrides.Query] : T.Zero;
        return Vector256.Load(values);
    }

    /// <summary>The same update for one lane, for slivers narrower than a vector (the portable micro-kernel's).</summary>
    private static void UpdateLane(in SliverBlock<T> s, int lane)
    {
        int query = s.First.Query + lane;
        T oldMax = s.Max[lane], max = oldMax;
        T* cell = s.Panel + lane;
        for (int k = 0; k < s.Keys; k++, cell += s.Width)
        {
            T x = *cell * s.Scale;
            if (s.Mask is not null && lane < s.Lanes)
                x += s.Mask[lane * s.MaskStrides.Query + k * s.MaskStrides.Key];
            if (s.Causal && s.First.Key + k > query)
                x = T.NegativeInfinity;
            *cell = x;
            max = T.IsNaN(x) || T.IsNaN(max) ? T.NaN : T.Max(max, x);
        }
        T safeMax = T.IsNegativeInfinity(max) ? T.Zero : max, sum = T.Zero;
        cell = s.Panel + lane;
        for (int k = 0; k < s.Keys; k++, cell += s.Width)
        {
            T p = T.Exp(*cell - safeMax);
            *cell = p;
            sum += p;
        }
        T alpha = T.Exp(oldMax - safeMax);
        s.Sum[lane] = s.Sum[lane] * alpha + sum;
        s.Max[lane] = max;
        if (!s.AccState.Ready) return;
        for (int d = 0; d < s.AccState.Rows; d++)
            s.Acc[d * s.Width + lane] *= alpha;
    }
}
