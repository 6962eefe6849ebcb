using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Attention;

/// <summary>
/// Attention a few query rows at a time, for calls with too few queries to fill the micro-kernel's lanes
/// (decoding tokens against a cache of keys: L = 1 to a few). A group of up to <see cref="Group"/> rows walks
/// the keys together: each key row is loaded once for the group's dot products, each value row once for the
/// group's weighted sums, and every row keeps its own online softmax. Nothing is packed, so the work is
/// L·S·(E + Ev) multiply-adds with no padding.
/// </summary>
internal static unsafe class QueryRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Query rows that share each key and value row load.</summary>
    internal const int Group = 4;

    private static int W => Vector256<T>.Count;

    /// <summary>Computes the attention output of <paramref name="ops"/> into its output buffer.</summary>
    internal static void Run(in AttentionOperands<T> ops, int keyBlock)
    {
        long groupsPerEntry = (ops.L + Group - 1) / Group, groups = Shapes.Numel(ops.Batch) * groupsPerEntry;
        if (groups == 0 || ops.Ev == 0) return;
        keyBlock = Math.Clamp(keyBlock, 1, Math.Max(ops.S, 1));
        long work = Shapes.Numel(ops.Batch) * ops.L * ops.S * (long)(ops.E + ops.Ev);
        var local = ops;
        int block = keyBlock;
        void Work(long first, long end)
        {
            var scratch = AttentionScratch<T>.Get(Group, 0, local.Ev, block);
            for (long g = first; g < end; g++)
            {
                int i0 = (int)(g % groupsPerEntry) * Group;
                ComputeGroup(local, g / groupsPerEntry, i0, Math.Min(Group, local.L - i0), block, scratch);
            }
        }
        CpuParallel.For(groups, Math.Max(1, Gemm.Gemm.ParallelThreshold * groups / Math.Max(work, 1)), Work);
    }

    /// <summary>Output rows [i0, i0 + count) of batch entry <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeGroup(in AttentionOperands<T> ops, long b, int i0, int count, int keyBlock, AttentionScratch<T> scratch)
    {
        T* query = ops.Query + ops.Offset(0, b) + i0 * ops.QueryStrides.Row;
        T* key = ops.Key + ops.Offset(1, b), value = ops.Value + ops.Offset(2, b);
        T* mask = ops.Mask is null ? null : ops.Mask + ops.Offset(3, b) + i0 * ops.MaskStrides.Row;
        // Row g's scores at scores[g·keyBlock], its output at acc[g·Ev].
        T* scores = scratch.Panel, acc = scratch.Acc, max = scratch.Max, sum = scratch.Sum;
        new Span<T>(acc, count * ops.Ev).Clear();
        new Span<T>(max, count).Fill(T.NegativeInfinity);
        new Span<T>(sum, count).Clear();
        T* dots = stackalloc T[Group];
        // Under a causal mask the group's last row sees the first i0 + count keys.
        int keys = ops.Causal ? Math.Min(i0 + count, ops.S) : ops.S;
        for (int n = 0; n < keys; n += keyBlock)
        {
            int cols = Math.Min(keyBlock, keys - n);
            for (int j = 0; j < cols; j++)
            {
                Dots(query, ops.QueryStrides, key + (n + j) * ops.KeyStrides.Row, ops.KeyStrides.Col, ops.E, count, dots);
                for (int g = 0; g < count; g++)
                {
                    T s = dots[g] * ops.Scale;
                    if (mask is not null) s += mask[g * ops.MaskStrides.Row + (n + j) * ops.MaskStrides.Col];
                    scores[g * keyBlock + j] = ops.Causal && n + j > i0 + g ? T.NegativeInfinity : s;
                }
            }
            for (int g = 0; g < count; g++)
                Fold(ops, new Span<T>(scores + g * keyBlock, cols), ref max[g], ref sum[g], acc + g * ops.Ev, (b * ops.L + i0 + g) * ops.S + n, scratch.Words);
            for (int j = 0; j < cols; j++)
                AddWeighted(acc, ops.Ev, value + (n + j) * ops.ValueStrides.Row, ops.ValueStrides.Col, scores + j, keyBlock, count);
        }
        for (int g = 0; g < count; g++)
        {
            // Every key masked (sum 0): a row of zeros, as PyTorch's safe softmax gives.
            T inverse = sum[g] == T.Zero ? T.Zero : T.One / sum[g];
            T* row = ops.Output + (b * ops.L + i0 + g) * ops.Ev;
            for (int d = 0; d < ops.Ev; d++)
                row[d] = acc[g * ops.Ev + d] * inverse;
        }
    }

    /// <summary>
    /// Folds one block of a row's scores into its online softmax: the scores become weights exp(s - max), the
    /// running sum and the output row are rescaled to the new maximum, and dropout is applied to the weights.
    /// </summary>
    private static void Fold(in AttentionOperands<T> ops, Span<T> scores, ref T max, ref T sum, T* acc, long firstWord, Span<uint> words)
    {
        T newMax = max;
        int j = 0;
        var vmax = Vector256.Create(T.NegativeInfinity);
        fixed (T* p = scores)
        {
            for (; j <= scores.Length - W; j += W)
                vmax = Vector256.Max(vmax, Vector256.Load(p + j));
            for (int lane = 0; lane < W; lane++)
                newMax = Max(newMax, vmax.GetElement(lane));
            for (; j < scores.Length; j++)
                newMax = Max(newMax, p[j]);
            // Every key so far masked: the weights are 0, and nothing is rescaled (exp(-inf - -inf) would be NaN).
            T safeMax = T.IsNegativeInfinity(newMax) ? T.Zero : newMax;
            var shift = Vector256.Create(safeMax);
            var vsum = Vector256<T>.Zero;
            for (j = 0; j <= scores.Length - W; j += W)
            {
                var e = SoftmaxExp.Exp(Vector256.Load(p + j) - shift);
                e.Store(p + j);
                vsum += e;
            }
            T blockSum = Vector256.Sum(vsum);
            for (; j < scores.Length; j++)
                blockSum += p[j] = T.Exp(p[j] - safeMax);
            T alpha = T.Exp(max - safeMax);
            // A NaN score makes the maximum NaN, and the sum NaN: the row comes out NaN.
            sum = T.IsNaN(newMax) ? newMax : sum * alpha + blockSum;
            if (alpha != T.One)
            {
                for (int d = 0; d < ops.Ev; d++)
                    acc[d] *= alpha;
            }
        }
        max = newMax;
        if (ops.DropoutP <= 0) return;
        var draws = words[..scores.Length];
        ops.Stream.Words(firstWord, draws);
        // A weight is kept when its word is at least p·2^32, so p = 1 drops every weight.
        ulong threshold = (ulong)Math.Ceiling(ops.DropoutP * 4294967296.0);
        T keep = ops.DropoutP < 1 ? T.CreateTruncating(1 / (1 - ops.DropoutP)) : T.Zero;
        for (j = 0; j < scores.Length; j++)
            scores[j] *= draws[j] >= threshold ? keep : T.Zero;
    }

    /// <summary>The larger of two values, NaN if either is NaN.</summary>
    private static T Max(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : T.Max(a, b);

    /// <summary>dots[g] = Σ q_g[d]·k[d] over d &lt; n for the group's rows (vectorised when both rows are contiguous).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dots(T* query, (nint Row, nint Col) q, T* k, nint kCol, int n, int count, T* dots)
    {
        int start = 0;
        if (q.Col == 1 && kCol == 1 && count == Group)
        {
            Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default;
            T* q1 = query + q.Row, q2 = q1 + q.Row, q3 = q2 + q.Row;
            for (; start <= n - W; start += W)
            {
                var kv = Vector256.Load(k + start);
                a0 += Vector256.Load(query + start) * kv;
                a1 += Vector256.Load(q1 + start) * kv;
                a2 += Vector256.Load(q2 + start) * kv;
                a3 += Vector256.Load(q3 + start) * kv;
            }
            dots[0] = Vector256.Sum(a0);
            dots[1] = Vector256.Sum(a1);
            dots[2] = Vector256.Sum(a2);
            dots[3] = Vector256.Sum(a3);
        }
        else
        {
            for (int g = 0; g < count; g++) dots[g] = T.Zero;
        }
        for (int g = 0; g < count; g++)
        {
            T* qg = query + g * q.Row;
            int d = start;
            if (start == 0 && q.Col == 1 && kCol == 1)
            {
                var a = Vector256<T>.Zero;
                for (; d <= n - W; d += W)
                    a += Vector256.Load(qg + d) * Vector256.Load(k + d);
                dots[g] = Vector256.Sum(a);
            }
            for (; d < n; d++)
                dots[g] += qg[d * q.Col] * k[d * kCol];
        }
    }

    /// <summary>acc_g[d] += weights[g·stride]·v[d·vCol] for the group's rows (acc_g = acc + g·ev), loading each value once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWeighted(T* acc, int ev, T* v, nint vCol, T* weights, int stride, int count)
    {
        int d = 0;
        if (vCol == 1 && count == 1)
        {
            var w = Vector256.Create(weights[0]);
            for (; d <= ev - W; d += W)
                (Vector256.Load(acc + d) + w * Vector256.Load(v + d)).Store(acc + d);
        }
        else if (vCol == 1)
        {
            for (; d <= ev - W; d += W)
            {
                var vv = Vector256.Load(v + d);
                for (int g = 0; g < count; g++)
                {
                    T* a = acc + g * ev + d;
                    (Vector256.Load(a) + Vector256.Create(weights[g * stride]) * vv).Store(a);
                }
            }
        }
        for (; d < ev; d++)
        {
            T x = v[d * vCol];
            for (int g = 0; g < count; g++)
                acc[g * ev + d] += weights[g * stride] * x;
        }
    }
}
