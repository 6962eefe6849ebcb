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
/// its input is one stretch of a row of the <see cref="PaddedImage"/> — two plain vector loads, no edge cases —
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
        // A row's last tile reads up to two vectors past its last column.
        var geometry = new PaddedImage(w, 2 * Vector256<T>.Count);
        var window = w;
        geometry.ForEach(x.Input, (long)batch * groups, w, (long)mPad * k * w.Columns, (padded, imageGroup, oh0, oh1) =>
        {
            int group = (int)(imageGroup % groups);
            for (int oh = oh0; oh < oh1; oh++)
            {
                OutputRow(padded + (nint)oh * window.StrideHeight * geometry.Width, packedWeights + (nint)group * mPad * k,
                    x.Bias == null ? null : x.Bias + (nint)group * m, x.Output + imageGroup * m * window.Columns + (nint)oh * window.OutWidth, m, geometry, window);
            }
        });
    }

    /// <summary>Every output channel of one output row of one image and group, whose windows start at <paramref name="src"/>.</summary>
    private static void OutputRow(T* src, T* weights, T* bias, T* output, int m, in PaddedImage geometry, in SlidingWindow w)
    {
        int width = 2 * Vector256<T>.Count, k = w.Rows;
        for (int ow = 0; ow < w.OutWidth; ow += width)
        {
            int count = Math.Min(width, w.OutWidth - ow);
            for (int row = 0; row < m; row += Rows)
                Tile(src + ow, weights + (nint)row * k, bias == null ? null : bias + row, output + (nint)row * w.Columns + ow, Math.Min(Rows, m - row), count, geometry, w);
        }
    }

    /// <summary>
    /// Output channels [0, rows) × <paramref name="count"/> columns whose windows start at <paramref name="src"/> in the
    /// padded image: Σ over (channel, tap) of the 6 broadcast weights times the input stretch the tap reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(T* src, T* a, T* bias, T* c, int rows, int count, in PaddedImage geometry, in SlidingWindow w)
    {
        int vw = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint rowStep = (nint)w.DilationHeight * geometry.Width, planeSize = geometry.PlaneSize;
        int kernelHeight = w.KernelHeight, kernelWidth = w.KernelWidth, dilationWidth = w.DilationWidth;
        // Lanes past count are never stored; a tile of at most vw columns skips its second vector.
        bool half = count <= vw;
        for (int ch = 0; ch < w.Channels; ch++)
        {
            T* plane = src + ch * planeSize;
            for (int ki = 0; ki < kernelHeight; ki++)
            {
                T* row = plane + ki * rowStep;
                for (int kj = 0; kj < kernelWidth; kj++, a += Rows)
                {
                    T* p = row + kj * dilationWidth;
                    Vector256<T> b0 = Vector256.Load(p), b1 = half ? Vector256<T>.Zero : Vector256.Load(p + vw);
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
}
