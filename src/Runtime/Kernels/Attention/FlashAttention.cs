using System.Numerics;
using System.Runtime.CompilerServices;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Attention;

/// <summary>
/// Flash-attention style scaled dot-product attention on the CPU, built on the GEMM's packing and
/// micro-kernel. Queries are taken in slivers of the micro-kernel's NR lanes and keys in blocks of
/// <c>keyBlock</c>. For each key block, K and Vᵀ are packed once per chunk of slivers as A operands; for each
/// sliver the transposed scores K·Qᵀ land in a panel that is already the packed B operand of the second
/// product, the online softmax runs on it across lanes (<see cref="ScorePanel{T}"/>), and Vᵀ·weightsᵀ
/// accumulates the sliver's transposed output. So one block of scores (keyBlock × NR) exists at a time per
/// thread, whatever the sequence lengths. Causal attention skips the keys a sliver cannot see. Work is split
/// over batch entries × chunks of slivers, handed to the threads as they free up. Calls with too few queries
/// to fill half a sliver go to <see cref="QueryRows{T}"/>.
/// </summary>
internal static unsafe class FlashAttention<T, TKernel>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TKernel : IMicroKernel<T>
{
    /// <summary>Computes the attention output of <paramref name="ops"/> into its output buffer.</summary>
    internal static void Run(in AttentionOperands<T> ops, int keyBlock)
    {
        long batch = Shapes.Numel(ops.Batch);
        if (batch == 0 || ops.L == 0 || ops.Ev == 0) return;
        int width = TKernel.NR;
        // A few queries would leave most of each sliver's lanes idle: they go one row at a time instead.
        if (ops.L * RowsFactor < width)
        {
            QueryRows<T>.Run(ops, keyBlock);
            return;
        }
        int slivers = (ops.L + width - 1) / width;
        keyBlock = Math.Clamp(keyBlock, 1, Math.Max(ops.S, 1));
        long work = batch * ops.L * (long)ops.S * (ops.E + ops.Ev);
        int threads = work >= Gemm.Gemm.ParallelThreshold ? Threading.NumThreads : 1;
        // With several threads, enough items for each to get several, so uneven (causal) items still balance;
        // on one thread, whole batch entries, so K and V are packed once per entry. A chunk's packed queries and
        // outputs stay within about 1 MB (of floats), which bounds each thread's scratch.
        int chunks = threads == 1 ? 1 : (int)Math.Clamp((4L * threads + batch - 1) / batch, 1, slivers);
        int maxPerChunk = Math.Max(1, ChunkBudget / ((ops.E + EvRows(ops.Ev) + 2) * width));
        int perChunk = Math.Min((slivers + chunks - 1) / chunks, maxPerChunk);
        chunks = (slivers + perChunk - 1) / perChunk;
        long items = batch * chunks;
        var local = ops;
        long next = -1;
        // Each thread takes the next item when it is done with one; the range CpuParallel hands it is not used.
        void Work(long start, long end)
        {
            var scratch = AttentionScratch<T>.Get(perChunk * width, local.E, EvRows(local.Ev), keyBlock);
            // The last chunks of each batch entry have the most keys to see under a causal mask: they go first.
            for (long i = Interlocked.Increment(ref next); i < items; i = Interlocked.Increment(ref next))
            {
                long b = i / chunks;
                int first = (chunks - 1 - (int)(i % chunks)) * perChunk;
                ComputeChunk(local, b, first, Math.Min(perChunk, slivers - first), keyBlock, scratch);
            }
        }
        if (threads == 1 || items == 1)
            Work(0, 1);
        else
            CpuParallel.For(Math.Min(threads, items), 1, Work);
    }

    /// <summary>Below NR / RowsFactor queries, <see cref="QueryRows{T}"/> is faster than half-empty slivers.</summary>
    private const int RowsFactor = 2;

    /// <summary>Elements of packed queries, outputs and row statistics one chunk may hold.</summary>
    private const int ChunkBudget = 1 << 18;

    /// <summary>The value dims rounded up to whole micro-kernel tiles (the padding rows of packed Vᵀ are zero).</summary>
    private static int EvRows(int ev) => (ev + TKernel.MR - 1) / TKernel.MR * TKernel.MR;

    /// <summary>The output rows of slivers [firstSliver, firstSliver + count) of batch entry <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeChunk(in AttentionOperands<T> ops, long b, int firstSliver, int count, int keyBlock, AttentionScratch<T> scratch)
    {
        int width = TKernel.NR, mr = TKernel.MR, evRows = EvRows(ops.Ev);
        int q0 = firstSliver * width, rows = Math.Min(count * width, ops.L - q0);
        T* key = ops.Key + ops.Offset(1, b), value = ops.Value + ops.Offset(2, b);
        T* mask = ops.Mask is null ? null : ops.Mask + ops.Offset(3, b);
        // Qᵀ packed once for the chunk, in slivers of NR queries: the B operand of scoresᵀ = K·Qᵀ.
        var queryT = new MatrixRef<T>(ops.Query + ops.Offset(0, b) + q0 * ops.QueryStrides.Row, ops.QueryStrides.Col, ops.QueryStrides.Row);
        GemmPacking.PackB(queryT, ops.E, rows, width, scratch.Queries);
        new Span<T>(scratch.Max, count * width).Fill(T.NegativeInfinity);
        new Span<T>(scratch.Sum, count * width).Clear();
        var ready = scratch.Ready.AsSpan(0, count);
        ready.Clear();
        bool dropout = ops.DropoutP > 0;
        // A weight is kept when its word is at least p·2^32, so p = 1 drops every weight.
        ulong threshold = (ulong)Math.Ceiling(ops.DropoutP * 4294967296.0);
        T keepScale = dropout && ops.DropoutP < 1 ? T.CreateTruncating(1 / (1 - ops.DropoutP)) : T.One;
        int keys = ops.Causal ? Math.Min(q0 + rows, ops.S) : ops.S;
        for (int n = 0; n < keys; n += keyBlock)
        {
            int cols = Math.Min(keyBlock, keys - n);
            GemmPacking.PackA(new MatrixRef<T>(key + n * ops.KeyStrides.Row, ops.KeyStrides.Row, ops.KeyStrides.Col), cols, ops.E, mr, scratch.Keys);
            GemmPacking.PackA(new MatrixRef<T>(value + n * ops.ValueStrides.Row, ops.ValueStrides.Col, ops.ValueStrides.Row), ops.Ev, cols, mr, scratch.Values);
            for (int s = 0; s < count; s++)
            {
                int sq = q0 + s * width, lanes = Math.Min(width, ops.L - sq);
                // Keys past the sliver's last query are masked for all its lanes under a causal mask.
                int seen = ops.Causal ? Math.Clamp(sq + lanes - n, 0, cols) : cols;
                if (seen == 0) continue;
                var panel = new MatrixRef<T>(scratch.Panel, width, 1);
                T* queries = scratch.Queries + (nint)s * width * ops.E;
                // Edge tiles pass their true row count, so kernels with shorter variants compute no padding rows.
                for (int t = 0; t < seen; t += mr)
                    TKernel.Run(ops.E, scratch.Keys + (nint)t * ops.E, queries, panel.Offset(t, 0), Math.Min(mr, seen - t), width, false);
                T* acc = scratch.Acc + (nint)s * evRows * width;
                var block = new SliverBlock<T>
                {
                    Panel = scratch.Panel,
                    Keys = seen,
                    Width = width,
                    Lanes = lanes,
                    First = (sq, n),
                    Max = scratch.Max + s * width,
                    Sum = scratch.Sum + s * width,
                    Acc = acc,
                    AccState = (ops.Ev, ready[s]),
                    Mask = mask is null ? null : mask + sq * ops.MaskStrides.Row + n * ops.MaskStrides.Col,
                    MaskStrides = (ops.MaskStrides.Row, ops.MaskStrides.Col),
                    Causal = ops.Causal,
                    Scale = ops.Scale,
                };
                ScorePanel<T>.Update(block);
                if (dropout)
                    ScorePanel<T>.Dropout(block, ops.Stream, (b * ops.L + sq) * ops.S + n, ops.S, threshold, keepScale, scratch.Words);
                var output = new MatrixRef<T>(acc, width, 1);
                for (int t = 0; t < ops.Ev; t += mr)
                    TKernel.Run(seen, scratch.Values + (nint)t * cols, scratch.Panel, output.Offset(t, 0), Math.Min(mr, ops.Ev - t), width, ready[s]);
                ready[s] = true;
            }
        }
        WriteOutput(ops, b, q0, rows, scratch);
    }

    /// <summary>Transposes the chunk's accumulated outputs into the output rows, dividing each by its lane's sum.</summary>
    private static void WriteOutput(in AttentionOperands<T> ops, long b, int q0, int rows, AttentionScratch<T> scratch)
    {
        int width = TKernel.NR, evRows = EvRows(ops.Ev);
        for (int r = 0; r < rows; r++)
        {
            int s = r / width, lane = r % width;
            T* row = ops.Output + (b * ops.L + q0 + r) * ops.Ev;
            // No keys seen (S = 0), or every key masked (sum 0): a row of zeros, as PyTorch's safe softmax gives.
            T sum = scratch.Ready[s] ? scratch.Sum[r] : T.Zero;
            if (sum == T.Zero)
            {
                new Span<T>(row, ops.Ev).Clear();
                continue;
            }
            T inverse = T.One / sum;
            T* acc = scratch.Acc + (nint)s * evRows * width + lane;
            for (int d = 0; d < ops.Ev; d++)
                row[d] = acc[d * width] * inverse;
        }
    }
}
