using System.Numerics;
using System.Runtime.CompilerServices;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Convolution as im2col + GEMM without the im2col matrix. Per group, output[n] = W · im2col(input[n]) with W
/// the C_out/groups × (C_in/groups · taps) weight matrix. The weights, GEMM operand A, are packed once per call
/// for every group and KC-deep slice; operand B is never formed: for each KC-deep slice of a block of output positions,
/// <see cref="SliverPacking.Pack{T}"/> writes one NR-wide sliver of it at a time into the micro-kernel's packed layout,
/// and every row of A sweeps that sliver while it is still in L1 (the loop nest of <see cref="BlockedGemm{T, TKernel}"/>
/// with the packed B panel cut down to one sliver). Work is split across threads by (image, group, block of output
/// positions), each thread packing its own slivers.
/// </summary>
internal static unsafe class ConvGemm<T, TKernel>
    where T : unmanaged, INumberBase<T>
    where TKernel : IMicroKernel<T>
{
    /// <summary>Bytes of C per block of work: the block stays in L2 while the k slices accumulate onto it.</summary>
    private const int BlockBytes = 256 * 1024;

    /// <summary>
    /// output = conv(input, weight) + bias for <paramref name="batch"/> images and <paramref name="groups"/> groups of
    /// <paramref name="outPerGroup"/> output channels, each group's window <paramref name="w"/> (w.Channels input
    /// channels per group). Requires w.Rows &gt; 0 and a non-empty output.
    /// </summary>
    internal static void Run(ConvOperands<T> x, int batch, int groups, int outPerGroup, in SlidingWindow w)
    {
        int m = outPerGroup, k = w.Rows, l = w.Columns, mr = TKernel.MR, nr = TKernel.NR;
        int kcStep = Blocking.EvenStep(k, TKernel.KC, 1);
        int mPad = (m + mr - 1) / mr * mr;
        int ncStep = Blocking.EvenStep(l, Math.Max(nr, BlockBytes / (mPad * sizeof(T)) / nr * nr), nr);
        int colBlocks = (l + ncStep - 1) / ncStep;
        long tiles = (long)batch * groups * colBlocks;
        // Too few (image, group, block) tiles for the threads: split the output channels as well.
        int rowBlocks = tiles < Threading.NumThreads ? Math.Clamp(mPad / mr, 1, Threading.NumThreads) : 1;
        int rowsPerBlock = (mPad / mr + rowBlocks - 1) / rowBlocks * mr;
        T* weights = PackWeights(x.Weight, groups, m, k, kcStep, mPad);
        var window = w;
        long work = (long)rowsPerBlock * k * ncStep;
        CpuParallel.For(tiles * rowBlocks, Math.Max(1, Gemm.Gemm.ParallelThreshold / work), (start, end) =>
        {
            PackBuffer.Get(0, (long)kcStep * nr, out T* _, out T* packB);
            for (long unit = start; unit < end; unit++)
            {
                int rowBlock = (int)(unit % rowBlocks), colBlock = (int)(unit / rowBlocks % colBlocks);
                long imageGroup = unit / rowBlocks / colBlocks;
                int group = (int)(imageGroup % groups);
                int row0 = rowBlock * rowsPerBlock, row1 = Math.Min(m, row0 + rowsPerBlock);
                if (row0 >= row1) continue;
                int col0 = colBlock * ncStep;
                var block = new Block(
                    x.Input + imageGroup * window.ImageSize,
                    weights + (nint)group * mPad * k,
                    x.Bias == null ? null : x.Bias + (nint)group * m,
                    x.Output + imageGroup * m * l,
                    row0, row1, col0, Math.Min(ncStep, l - col0));
                RunBlock(block, window, kcStep, mPad, packB);
            }
        });
    }

    /// <summary>One unit of work: output rows [Row0, Row1) × positions [Col0, Col0 + Cols) of one image and group.</summary>
    private readonly struct Block(T* image, T* weights, T* bias, T* output, int row0, int row1, int col0, int cols)
    {
        internal readonly T* Image = image, Weights = weights, Bias = bias, Output = output;
        internal readonly int Row0 = row0, Row1 = row1, Col0 = col0, Cols = cols;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlock(in Block b, in SlidingWindow w, int kcStep, int mPad, T* packB)
    {
        int k = w.Rows, l = w.Columns, mr = TKernel.MR, nr = TKernel.NR;
        var c = new MatrixRef<T>(b.Output, l, 1);
        if (b.Bias != null)
        {
            for (int row = b.Row0; row < b.Row1; row++)
                Runs.Fill(c.At(row, b.Col0), b.Bias[row], b.Cols);
        }
        int* tapStorage = stackalloc int[3 * kcStep];
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            var taps = new TapTable(w, pc, kc, tapStorage);
            bool accumulate = b.Bias != null || pc > 0;
            T* slice = b.Weights + (nint)pc * mPad;
            for (int jr = 0; jr < b.Cols; jr += nr)
            {
                // One sliver at a time: packed into L1 and swept by every row of A while it is there.
                int cols = Math.Min(nr, b.Cols - jr);
                SliverPacking.Pack(b.Image, w, taps, pc, b.Col0 + jr, cols, packB, nr);
                if (cols < nr)
                {
                    // The missing columns: the micro-kernel reads them (and its results there are dropped).
                    for (int p = 0; p < kc; p++)
                        Runs.Zero(packB + (nint)p * nr + cols, nr - cols);
                }
                for (int ir = b.Row0; ir < b.Row1; ir += mr)
                    TKernel.Run(kc, slice + (nint)ir * kc, packB, c.Offset(ir, b.Col0 + jr), Math.Min(mr, b.Row1 - ir), cols, accumulate);
            }
        }
    }

    /// <summary>
    /// Every group's weight matrix (<paramref name="m"/> × <paramref name="k"/>, row-major) in the micro-kernel's A
    /// layout: group g's slice starting at column pc lies at g·mPad·k + pc·mPad, as MR-row slivers of kc columns; in
    /// this thread's scratch, valid until its next convolution.
    /// </summary>
    private static T* PackWeights(T* weight, int groups, int m, int k, int kcStep, int mPad)
    {
        T* dst = ThreadScratch.Get<T>(ThreadScratch.Slot.PackedWeights, (long)groups * mPad * k);
        for (int g = 0; g < groups; g++)
        {
            var a = new MatrixRef<T>(weight + (nint)g * m * k, k, 1);
            for (int pc = 0; pc < k; pc += kcStep)
                GemmPacking.PackA(a.Offset(0, pc), m, Math.Min(kcStep, k - pc), TKernel.MR, dst + (nint)g * mPad * k + (nint)pc * mPad);
        }
        return dst;
    }
}
