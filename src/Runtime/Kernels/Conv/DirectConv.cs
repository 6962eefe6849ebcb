using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Direct convolution for few output channels (a LeNet layer, a network's first layer): the GEMM of
/// <see cref="ConvGemm{T, TKernel}"/> with operand B read straight from the image instead of packed. A tile of
/// 6 output channels × 2 vectors of output columns of one output row sits in 12 ymm registers; per (channel, tap)
/// its input is one stretch of an input row — two vector loads, masked where the tile hangs over the padding —
/// feeding 12 FMAs with the 6 weights broadcast. With a handful of output channels each input element would be
/// packed for only a few FMAs, so skipping the packing is most of the work saved. Stride 1 across columns, any
/// stride down rows, dilation and padding; float and double with FMA.
/// </summary>
internal static unsafe class DirectConv<T> where T : unmanaged, INumberBase<T>
{
    private const int Rows = 6;

    /// <summary>Whether the direct kernel runs here for <typeparamref name="T"/> and window <paramref name="w"/>.</summary>
    internal static bool IsSupported(in SlidingWindow w) =>
        Fma.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && w.StrideWidth == 1;

    /// <summary>
    /// output = conv(input, weight) + bias, like <see cref="ConvGemm{T, TKernel}.Run"/>: <paramref name="batch"/> images,
    /// <paramref name="groups"/> groups of <paramref name="outPerGroup"/> output channels. Requires w.Rows &gt; 0,
    /// a non-empty output and <see cref="IsSupported"/>.
    /// </summary>
    internal static void Run(ConvOperands<T> x, int batch, int groups, int outPerGroup, in SlidingWindow w)
    {
        int m = outPerGroup, k = w.Rows, mPad = (m + Rows - 1) / Rows * Rows;
        // Weights as 6-row slivers over all of k: [row block][k][6], so a tile reads them in order.
        T* packedWeights = ThreadScratch.Get<T>(ThreadScratch.Slot.PackedWeights, (long)groups * mPad * k);
        for (int g = 0; g < groups; g++)
            GemmPacking.PackA(new MatrixRef<T>(x.Weight + (nint)g * m * k, k, 1), m, k, Rows, packedWeights + (nint)g * mPad * k);
        var window = w;
        long rowsOfWork = (long)batch * groups * w.OutHeight;
        long work = Math.Max(1, (long)mPad * k * w.OutWidth);
        CpuParallel.For(rowsOfWork, Math.Max(1, Gemm.Gemm.ParallelThreshold / work), (start, end) =>
        {
            for (long unit = start; unit < end; unit++)
            {
                long imageGroup = unit / window.OutHeight;
                int oh = (int)(unit % window.OutHeight), group = (int)(imageGroup % groups);
                OutputRow(x.Input + imageGroup * window.ImageSize, packedWeights + (nint)group * mPad * k,
                    x.Bias == null ? null : x.Bias + (nint)group * m, x.Output + imageGroup * m * window.Columns, m, oh, window);
            }
        });
    }

    /// <summary>Every output channel of output row <paramref name="oh"/> of one image and group.</summary>
    private static void OutputRow(T* image, T* weights, T* bias, T* output, int m, int oh, in SlidingWindow w)
    {
        int width = 2 * Vector256<T>.Count, k = w.Rows;
        for (int ow = 0; ow < w.OutWidth; ow += width)
        {
            int count = Math.Min(width, w.OutWidth - ow);
            for (int row = 0; row < m; row += Rows)
                Tile(image, weights + (nint)row * k, bias == null ? null : bias + row, output + (nint)row * w.Columns + (nint)oh * w.OutWidth + ow, Math.Min(Rows, m - row), oh, ow, count, w);
        }
    }

    /// <summary>
    /// Output channels [0, rows) × columns [ow, ow + count) of output row <paramref name="oh"/>: Σ over (channel, tap)
    /// of the 6 broadcast weights times the input stretch the tap reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(T* image, T* a, T* bias, T* c, int rows, int oh, int ow, int count, in SlidingWindow w)
    {
        int vw = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // A vector loads plainly when it lies inside the input row: its first input column in [0, InWidth − vw]. Lanes
        // past count are never stored; a tile of at most vw columns leaves its second vector zero.
        int interior = Math.Max(0, w.InWidth - vw + 1);
        bool half = count <= vw;
        for (int ch = 0; ch < w.Channels; ch++)
        {
            T* plane = image + (nint)ch * w.PlaneSize;
            for (int ki = 0; ki < w.KernelHeight; ki++)
            {
                int ih = oh * w.StrideHeight - w.PadTop + ki * w.DilationHeight;
                if ((uint)ih >= (uint)w.InHeight)
                {
                    a += Rows * w.KernelWidth;
                    continue;
                }
                T* inputRow = plane + (nint)ih * w.InWidth;
                for (int kj = 0; kj < w.KernelWidth; kj++, a += Rows)
                {
                    int iw0 = ow - w.PadLeft + kj * w.DilationWidth;
                    // Otherwise lanes t with 0 ≤ iw0 + t < InWidth (and t < count) are read; the rest are padding.
                    int lo = -iw0, hi = Math.Min(w.InWidth - iw0, count);
                    Vector256<T> b0 = (uint)iw0 < (uint)interior ? Vector256.Load(inputRow + iw0) : MaskedLoad(inputRow + iw0, 0, lo, hi);
                    Vector256<T> b1 = half ? Vector256<T>.Zero
                        : (uint)(iw0 + vw) < (uint)interior ? Vector256.Load(inputRow + iw0 + vw) : MaskedLoad(inputRow + iw0 + vw, vw, lo, hi);
                    FmaStep.Row(a[0], b0, b1, ref c00, ref c01);
                    FmaStep.Row(a[1], b0, b1, ref c10, ref c11);
                    FmaStep.Row(a[2], b0, b1, ref c20, ref c21);
                    FmaStep.Row(a[3], b0, b1, ref c30, ref c31);
                    FmaStep.Row(a[4], b0, b1, ref c40, ref c41);
                    FmaStep.Row(a[5], b0, b1, ref c50, ref c51);
                }
            }
        }
        nint ld = w.Columns;
        StoreRow(c, c00, c01, bias, 0, rows, count);
        StoreRow(c + ld, c10, c11, bias, 1, rows, count);
        StoreRow(c + 2 * ld, c20, c21, bias, 2, rows, count);
        StoreRow(c + 3 * ld, c30, c31, bias, 3, rows, count);
        StoreRow(c + 4 * ld, c40, c41, bias, 4, rows, count);
        StoreRow(c + 5 * ld, c50, c51, bias, 5, rows, count);
    }

    /// <summary>Row <paramref name="i"/> of the tile plus its bias into its first <paramref name="count"/> columns, if the tile has that row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* dst, Vector256<T> lo, Vector256<T> hi, T* bias, int i, int rows, int count)
    {
        if (i >= rows) return;
        int vw = Vector256<T>.Count;
        if (bias != null)
        {
            var b = Vector256.Create(bias[i]);
            lo += b;
            hi += b;
        }
        if (count == 2 * vw)
        {
            lo.Store(dst);
            hi.Store(dst + vw);
            return;
        }
        if (count >= vw)
        {
            lo.Store(dst);
            for (int t = vw; t < count; t++) dst[t] = hi.GetElement(t - vw);
            return;
        }
        for (int t = 0; t < count; t++) dst[t] = lo.GetElement(t);
    }

    /// <summary>
    /// p[t] for lanes t (numbered from <paramref name="first"/>) in [lo, hi), zero elsewhere; masked-off lanes are not read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MaskedLoad(T* p, int first, int lo, int hi)
    {
        if (typeof(T) == typeof(float))
        {
            var lane = Vector256.Create(first) + Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            var mask = Vector256.GreaterThanOrEqual(lane, Vector256.Create(lo)) & Vector256.LessThan(lane, Vector256.Create(hi));
            return Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>();
        }
        var lane64 = Vector256.Create((long)first) + Vector256.Create(0L, 1, 2, 3);
        var mask64 = Vector256.GreaterThanOrEqual(lane64, Vector256.Create((long)lo)) & Vector256.LessThan(lane64, Vector256.Create((long)hi));
        return Avx.MaskLoad((double*)p, mask64.AsDouble()).As<double, T>();
    }
}
