using System.Runtime.CompilerServices;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Recurrent;

/// <summary>
/// One LSTM step for a few hidden units and one register of batch lanes, gates never leaving registers: each of the
/// units' four gate rows (i, f, g, o) is an accumulator holding that gate for every lane, started from the bias and
/// then fed one fused multiply-add per element of <c>[h; x]</c> — the weight element broadcast, the lanes' values of
/// that element loaded as one register (h and x stored transposed, element-major) — and the cell is applied to the
/// accumulators in place. With the batch across the lanes, the weights are the broadcast operand, so a step needs no
/// packing of h, no gate buffer, and no separate input projection with its own pass over memory.
/// </summary>
/// <remarks>
/// Every lane's gate is the same chain of roundings (bias, then h's elements in order, then x's) whichever tile, register
/// width or thread computes it, and the cell rounds lane by lane (<see cref="LstmCell"/>), so results do not depend on how
/// units are tiled. Per step of the sum a tile loads its lanes once and each weight once (a broadcast folded into the FMA
/// on AVX-512), which keeps six units' 24 FMAs close to the load ports' limit of 25 loads in 12.5 cycles.
/// </remarks>
internal static unsafe class LstmGateTile
{
    /// <summary>Weight elements per step of the sum in the packed layout: four gates for each of a block's six units.</summary>
    internal const int BlockRows = 24;

    /// <summary>Units in a block of the packed weight layout (see <see cref="LstmWeightLayout"/>).</summary>
    internal const int BlockUnits = 6;

    /// <summary>
    /// The step for <typeparamref name="TUnits"/> units (1, 2, 3 or 6; 3 and 6 fill the ymm and zmm registers): gates = <paramref name="bias"/> + W_hh·h + W_ih·x for the lanes
    /// of <paramref name="h"/> (<paramref name="hidden"/> rows) and <paramref name="x"/> (<paramref name="inputs"/> rows),
    /// rows <paramref name="ld"/> floats apart, with the weights' rows for these units <see cref="BlockRows"/> floats apart
    /// per element; then the cell updates <paramref name="c"/> and writes <paramref name="hOut"/>, unit j's lanes at
    /// j·<paramref name="ld"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static void Run<TLanes, TVec, TUnits>(float* wHh, float* h, int hidden, float* wIh, float* x, int inputs, nint ld,
        float* bias, float* c, float* hOut, float* scratch)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
        where TUnits : struct, ITileRows
    {
        int n = TUnits.Count;
        TVec i0 = Bias<TLanes, TVec>(bias, 0), f0 = Bias<TLanes, TVec>(bias, 1), g0 = Bias<TLanes, TVec>(bias, 2), o0 = Bias<TLanes, TVec>(bias, 3);
        TVec i1 = Bias<TLanes, TVec>(bias, n > 1 ? 4 : 0), f1 = Bias<TLanes, TVec>(bias, n > 1 ? 5 : 0), g1 = Bias<TLanes, TVec>(bias, n > 1 ? 6 : 0), o1 = Bias<TLanes, TVec>(bias, n > 1 ? 7 : 0);
        TVec i2 = Bias<TLanes, TVec>(bias, n > 2 ? 8 : 0), f2 = Bias<TLanes, TVec>(bias, n > 2 ? 9 : 0), g2 = Bias<TLanes, TVec>(bias, n > 2 ? 10 : 0), o2 = Bias<TLanes, TVec>(bias, n > 2 ? 11 : 0);
        TVec i3 = Bias<TLanes, TVec>(bias, n > 3 ? 12 : 0), f3 = Bias<TLanes, TVec>(bias, n > 3 ? 13 : 0), g3 = Bias<TLanes, TVec>(bias, n > 3 ? 14 : 0), o3 = Bias<TLanes, TVec>(bias, n > 3 ? 15 : 0);
        TVec i4 = Bias<TLanes, TVec>(bias, n > 3 ? 16 : 0), f4 = Bias<TLanes, TVec>(bias, n > 3 ? 17 : 0), g4 = Bias<TLanes, TVec>(bias, n > 3 ? 18 : 0), o4 = Bias<TLanes, TVec>(bias, n > 3 ? 19 : 0);
        TVec i5 = Bias<TLanes, TVec>(bias, n > 3 ? 20 : 0), f5 = Bias<TLanes, TVec>(bias, n > 3 ? 21 : 0), g5 = Bias<TLanes, TVec>(bias, n > 3 ? 22 : 0), o5 = Bias<TLanes, TVec>(bias, n > 3 ? 23 : 0);
        // Two legs over one loop: h's elements against W_hh, then x's against W_ih.
        float* weights = wHh, v = h;
        for (int leg = 0, count = hidden; leg < 2; leg++, weights = wIh, v = x, count = inputs)
        {
            for (int p = 0; p < count; p++)
            {
                var lanes = TLanes.Load(v);
                Step<TLanes, TVec>(weights, lanes, ref i0, ref f0, ref g0, ref o0);
                if (n > 1) Step<TLanes, TVec>(weights + 4, lanes, ref i1, ref f1, ref g1, ref o1);
                if (n > 2) Step<TLanes, TVec>(weights + 8, lanes, ref i2, ref f2, ref g2, ref o2);
                if (n > 3)
                {
                    Step<TLanes, TVec>(weights + 12, lanes, ref i3, ref f3, ref g3, ref o3);
                    Step<TLanes, TVec>(weights + 16, lanes, ref i4, ref f4, ref g4, ref o4);
                    Step<TLanes, TVec>(weights + 20, lanes, ref i5, ref f5, ref g5, ref o5);
                }
                weights += BlockRows;
                v += ld;
            }
        }
        // The cell runs from memory, one unit at a time: inlined six times over live accumulators it would not fit the
        // JIT's budget, and a call would spill them all anyway. (The scratch is the caller's: a stackalloc here makes
        // the JIT keep the accumulators on the stack.)
        int w = TLanes.Count;
        float* gates = scratch;
        Keep<TLanes, TVec>(gates, w, i0, f0, g0, o0);
        if (n > 1) Keep<TLanes, TVec>(gates + 4 * w, w, i1, f1, g1, o1);
        if (n > 2) Keep<TLanes, TVec>(gates + 8 * w, w, i2, f2, g2, o2);
        if (n > 3)
        {
            Keep<TLanes, TVec>(gates + 12 * w, w, i3, f3, g3, o3);
            Keep<TLanes, TVec>(gates + 16 * w, w, i4, f4, g4, o4);
            Keep<TLanes, TVec>(gates + 20 * w, w, i5, f5, g5, o5);
        }
        for (int j = 0; j < n; j++, gates += 4 * w, c += ld, hOut += ld)
            LstmCell.Unit<TLanes, TVec>(TLanes.Load(gates), TLanes.Load(gates + w), TLanes.Load(gates + 2 * w), TLanes.Load(gates + 3 * w), c, hOut);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep<TLanes, TVec>(float* to, int w, TVec i, TVec f, TVec g, TVec o)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        TLanes.Store(i, to);
        TLanes.Store(f, to + w);
        TLanes.Store(g, to + 2 * w);
        TLanes.Store(o, to + 3 * w);
    }

    /// <summary>Bias element <paramref name="row"/> in every lane (rows of units a tile does not have read row 0: unused, but in bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Bias<TLanes, TVec>(float* bias, int row)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct => TLanes.Broadcast(bias[row]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TLanes, TVec>(float* w, TVec lanes, ref TVec i, ref TVec f, ref TVec g, ref TVec o)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        i = TLanes.MultiplyAdd(TLanes.Broadcast(w[0]), lanes, i);
        f = TLanes.MultiplyAdd(TLanes.Broadcast(w[1]), lanes, f);
        g = TLanes.MultiplyAdd(TLanes.Broadcast(w[2]), lanes, g);
        o = TLanes.MultiplyAdd(TLanes.Broadcast(w[3]), lanes, o);
    }
}
