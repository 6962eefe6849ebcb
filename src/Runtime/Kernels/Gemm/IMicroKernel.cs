namespace Kiln.Kernels.Gemm;

/// <summary>
/// A register-blocked GEMM micro-kernel and the cache block sizes tuned for it (Goto/BLIS style):
/// an <see cref="KC"/>×<see cref="NC"/> panel of B is packed to stay in L3, an <see cref="MC"/>×<see cref="KC"/>
/// block of A to stay in L2, and one <see cref="KC"/>×<see cref="NR"/> sliver of B stays in L1 (or, for the
/// wide AVX-512 tile, close by in L2) while the kernel sweeps the A block.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged
{
    /// <summary>Rows of C one kernel call computes.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C one kernel call computes.</summary>
    static abstract int NR { get; }

    /// <summary>Rows of A packed per block (a multiple of <see cref="MR"/>).</summary>
    static abstract int MC { get; }

    /// <summary>Depth of the packed panels.</summary>
    static abstract int KC { get; }

    /// <summary>Columns of B packed per panel (a multiple of <see cref="NR"/>).</summary>
    static abstract int NC { get; }

    /// <summary>
    /// C[0..mr, 0..nr] = (accumulate ? C : 0) + Σₚ a[p·MR + i]·b[p·NR + j] over p &lt; <paramref name="kc"/>,
    /// where <paramref name="a"/> and <paramref name="b"/> are packed slivers (zero-padded to MR and NR).
    /// </summary>
    static abstract void Run(int kc, T* a, T* b, MatrixRef<T> c, int mr, int nr, bool accumulate);
}
