using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// The Goto/BLIS loop nest around one micro-kernel, on one thread: for each NC-column panel and
/// KC-deep slice, B is packed once; for each MC-row block A is packed once; then the micro-kernel
/// sweeps MR×NR tiles of C with the B sliver held in L1.
/// </summary>
internal static unsafe class BlockedGemm<T, TKernel>
    where T : unmanaged
    where TKernel : IMicroKernel<T>
{
    /// <summary>
    /// C = (accumulate ? C : 0) + A·B for A m×k, B k×n, C m×n, all of them with any strides.
    /// Requires m, n, k &gt; 0.
    /// </summary>
    internal static void Run(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate) =>
        Run(m, n, k, a, b, null, c, accumulate, 0, n, null);

    /// <summary>
    /// The same product with B already packed by <see cref="PackAll"/> for this k and n (so a B that many
    /// products share is packed once), on columns [<paramref name="colStart"/>, <paramref name="colEnd"/>) of B and C
    /// only; colStart a multiple of NR. Requires m, n, k &gt; 0. <paramref name="rowInit"/>, where not null, is the
    /// n-vector every row of C starts from instead of 0 (a linear layer's bias; <paramref name="accumulate"/> is then
    /// false): each tile copies its part just before its first product, on the thread that computes it, rather than a
    /// pass over all of C on one thread before the product.
    /// </summary>
    internal static void RunPacked(int m, int n, int k, MatrixRef<T> a, T* packedB, MatrixRef<T> c, bool accumulate, int colStart, int colEnd, T* rowInit = null) =>
        Run(m, n, k, a, default, packedB, c, accumulate, colStart, colEnd, rowInit);

    /// <summary>Elements <see cref="PackAll"/> writes for a k×n B: every panel, its columns padded to whole slivers.</summary>
    internal static long PackedLength(int k, int n) => (long)RoundUp(n, TKernel.NR) * k;

    /// <summary>
    /// Packs all of B (k×n, any strides) into <paramref name="dst"/> (<see cref="PackedLength"/> elements, 64-byte
    /// aligned): the panels <see cref="Run(int, int, int, MatrixRef{T}, MatrixRef{T}, MatrixRef{T}, bool)"/> would
    /// pack one at a time, each at <see cref="PanelOffset"/>. Requires n, k &gt; 0.
    /// </summary>
    internal static void PackAll(int k, int n, MatrixRef<T> b, T* dst)
    {
        int kcStep = EvenStep(k, TKernel.KC, 1), ncStep = EvenStep(n, TKernel.NC, TKernel.NR);
        for (int jc = 0; jc < n; jc += ncStep)
        {
            int nc = Math.Min(ncStep, n - jc);
            for (int pc = 0; pc < k; pc += kcStep)
                GemmPacking.PackB(b.Offset(pc, jc), Math.Min(kcStep, k - pc), nc, TKernel.NR, dst + PanelOffset(jc, pc, nc, k));
        }
    }

    /// <summary>
    /// The loop nest; B is packed panel by panel into scratch, or read from <paramref name="packedB"/> where
    /// that is not null (<paramref name="b"/> is then unused, and only C's columns [colStart, colEnd) are computed:
    /// a sub-range of whole slivers of a packed panel is itself laid out as a narrower panel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, T* packedB, MatrixRef<T> c, bool accumulate, int colStart, int colEnd, T* rowInit)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        // Equal-sized blocks: k = KC + 1 becomes two slices of about KC/2, not KC and 1.
        int kcStep = EvenStep(k, TKernel.KC, 1);
        int mcStep = EvenStep(m, TKernel.MC, mr);
        int ncStep = EvenStep(n, TKernel.NC, nr);
        PackBuffer.Get((long)mcStep * kcStep, packedB == null ? (long)ncStep * kcStep : 0, out T* packA, out T* packB);
        for (int jc = 0; jc < n; jc += ncStep)
        {
            int nc = Math.Min(ncStep, n - jc);
            int lo = Math.Max(colStart - jc, 0), hi = Math.Min(colEnd - jc, nc);
            if (lo >= hi) continue;
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                bool acc = accumulate || pc > 0 || rowInit != null;
                T* init = pc == 0 && rowInit != null ? rowInit + jc + lo : null;
                T* panel = packB;
                if (packedB == null)
                    GemmPacking.PackB(b.Offset(pc, jc), kc, nc, nr, packB);
                else
                    panel = packedB + PanelOffset(jc, pc, nc, k) + (nint)lo * kc;
                for (int ic = 0; ic < m; ic += mcStep)
                {
                    int mc = Math.Min(mcStep, m - ic);
                    GemmPacking.PackA(a.Offset(ic, pc), mc, kc, mr, packA);
                    Sweep(mc, hi - lo, kc, packA, panel, c.Offset(ic, jc + lo), acc, init);
                }
            }
        }
    }

    /// <summary>
    /// Where the packed slice [pc, pc + kc) × [jc, jc + nc) of B starts in <see cref="PackAll"/>'s layout: panels
    /// of columns one after another (each before it is a full NC-step wide, so jc·k elements precede this one),
    /// and within a panel its KC-slices, each nc rounded up to whole slivers wide.
    /// </summary>
    private static nint PanelOffset(int jc, int pc, int nc, int k) => (nint)jc * k + (nint)pc * RoundUp(nc, TKernel.NR);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// One panel's product (k ≤ KC, n ≤ NC) shared by every thread that calls this with the same
    /// <paramref name="nextUnit"/>: each packs B once, then takes blocks of <paramref name="unitRows"/> rows
    /// of C from the counter until none are left, so a thread that starts late takes fewer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RunUnits(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, MatrixRef<T> c, bool accumulate, int unitRows, StrongBox<int> nextUnit)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        PackBuffer.Get((long)unitRows * k, (long)((n + nr - 1) / nr * nr) * k, out T* packA, out T* packB);
        bool bPacked = false;
        while (true)
        {
            int r0 = (Interlocked.Increment(ref nextUnit.Value) - 1) * unitRows;
            if (r0 >= m) return;
            if (!bPacked)
            {
                GemmPacking.PackB(b, k, n, nr, packB);
                bPacked = true;
            }
            int rows = Math.Min(unitRows, m - r0);
            GemmPacking.PackA(a.Offset(r0, 0), rows, k, mr, packA);
            Sweep(rows, n, k, packA, packB, c.Offset(r0, 0), accumulate, null);
        }
    }

    /// <summary>
    /// The micro-kernel over an mc×nc block of C from packed A and B, each B sliver sweeping the A block while it is close
    /// in cache; each tile first set to <paramref name="init"/>'s columns where that is not null.
    /// </summary>
    private static void Sweep(int mc, int nc, int kc, T* packA, T* packB, MatrixRef<T> c, bool accumulate, T* init)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            T* bSliver = packB + (nint)jr * kc;
            int ncols = Math.Min(nr, nc - jr);
            for (int ir = 0; ir < mc; ir += mr)
            {
                var tile = c.Offset(ir, jr);
                int rows = Math.Min(mr, mc - ir);
                if (init != null) TileStore.FillRows(init + jr, tile, rows, ncols);
                TKernel.Run(kc, packA + (nint)ir * kc, bSliver, tile, rows, ncols, accumulate);
            }
        }
    }

    /// <summary>The block size that splits <paramref name="total"/> into equal blocks of at most <paramref name="max"/>, rounded up to a multiple of <paramref name="multiple"/>.</summary>
    private static int EvenStep(int total, int max, int multiple)
    {
        int blocks = (total + max - 1) / max;
        int step = (total + blocks - 1) / blocks;
        return (step + multiple - 1) / multiple * multiple;
    }
}
